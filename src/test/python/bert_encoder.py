"""A BERT-style encoder with the module layout and state dict keys of Hugging Face's BertForSequenceClassification
(embeddings, multi-head self-attention with query/key/value Linear layers, LayerNorm, GELU, pooler, classifier),
written in plain torch (no transformers package), traced (as the issue asks: scripted, its Python-level constants
would need rewriting), and quantized the way LPOT's dynamic approach does: the
oracle of io.qcheckpoint.torchscript's encoder test.

usage:
    /usr/bin/python3 src/test/python/bert_encoder.py generate OUT
        Writes into the folder OUT:
            fp32.pt           torch.jit.save of torch.jit.trace(model, (input_ids, attention_mask)); the model is
                              BertForSequenceClassification-like, seeded random weights, eval
            input_ids.pt      seeded int64 token ids [2, 16]
            attention_mask.pt int64 [2, 16], the second row padded after 11 tokens
            float_output.pt   the eager fp32 model's logits on them
            checkpoint/       best_configure.yaml + best_model_weights.pt: LPOT's dynamic int8 quantization of the
                              model (every Linear LPOT lists int8, its Embeddings fp32), as lpot_models.py makes it
            int8_output_E.pt  for each int8 engine E of this torch (qnnpack, onednn in Debian's 1.13): the logits of
                              lpot_models.lpot_load(checkpoint, fresh fp32 model), loaded and run under E
            case.json         {"fp32_keys", "ops", "engines", "default_engine", "torch_version"}; default_engine is
                              torch's own choice before this script sets one
        Deterministic: fixed seeds, one intra-op thread.
    /usr/bin/python3 src/test/python/bert_encoder.py check DIR OUT_DIR ENGINE
        loads the checkpoint in DIR as LPOT does (lpot_models.lpot_load) onto a fresh model (built as generate builds
        it, so with the same weights), runs it under ENGINE on OUT_DIR's input_ids.pt and attention_mask.pt, and
        torch.saves the logits to OUT_DIR/torch_on_checkpoint.pt.
Any failure exits 1 with one line "error: ..." on stderr.
"""
import collections
import json
import math
import os
import sys

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import lpot_models  # noqa: E402

OD = collections.OrderedDict
DEFAULT_ENGINE = torch.backends.quantized.engine
SEED = 2718
VOCAB, HIDDEN, LAYERS, HEADS, INTERMEDIATE, MAX_POSITIONS, TYPES, LABELS = 512, 64, 2, 4, 128, 64, 2, 3
BATCH, SEQ, PADDED_AFTER = 2, 16, 11


class BertEmbeddings(nn.Module):
    def __init__(self):
        super().__init__()
        self.word_embeddings = nn.Embedding(VOCAB, HIDDEN, padding_idx=0)
        self.position_embeddings = nn.Embedding(MAX_POSITIONS, HIDDEN)
        self.token_type_embeddings = nn.Embedding(TYPES, HIDDEN)
        self.LayerNorm = nn.LayerNorm(HIDDEN, eps=1e-12)
        self.dropout = nn.Dropout(0.1)
        self.register_buffer('position_ids', torch.arange(MAX_POSITIONS).expand((1, -1)))

    def forward(self, input_ids):
        seq_length = input_ids.size(1)
        position_ids = self.position_ids[:, :seq_length]
        token_type_ids = torch.zeros_like(input_ids)
        embeddings = (self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids)
                      + self.position_embeddings(position_ids))
        return self.dropout(self.LayerNorm(embeddings))


class BertSelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.head_size = HIDDEN // HEADS
        self.query = nn.Linear(HIDDEN, HIDDEN)
        self.key = nn.Linear(HIDDEN, HIDDEN)
        self.value = nn.Linear(HIDDEN, HIDDEN)
        self.dropout = nn.Dropout(0.1)

    def heads(self, x):
        return x.view(x.size(0), x.size(1), HEADS, self.head_size).permute(0, 2, 1, 3)

    def forward(self, hidden_states, attention_mask):
        q = self.heads(self.query(hidden_states))
        k = self.heads(self.key(hidden_states))
        v = self.heads(self.value(hidden_states))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_size) + attention_mask
        probs = self.dropout(nn.functional.softmax(scores, dim=-1))
        context = torch.matmul(probs, v).permute(0, 2, 1, 3).contiguous()
        return context.view(context.size(0), context.size(1), HIDDEN)


class BertSelfOutput(nn.Module):
    def __init__(self, inputs):
        super().__init__()
        self.dense = nn.Linear(inputs, HIDDEN)
        self.LayerNorm = nn.LayerNorm(HIDDEN, eps=1e-12)
        self.dropout = nn.Dropout(0.1)

    def forward(self, hidden_states, input_tensor):
        return self.LayerNorm(self.dropout(self.dense(hidden_states)) + input_tensor)


class BertAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.self = BertSelfAttention()
        self.output = BertSelfOutput(HIDDEN)

    def forward(self, hidden_states, attention_mask):
        return self.output(self.self(hidden_states, attention_mask), hidden_states)


class BertIntermediate(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(HIDDEN, INTERMEDIATE)
        self.intermediate_act_fn = nn.GELU()

    def forward(self, hidden_states):
        return self.intermediate_act_fn(self.dense(hidden_states))


class BertLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.attention = BertAttention()
        self.intermediate = BertIntermediate()
        self.output = BertSelfOutput(INTERMEDIATE)

    def forward(self, hidden_states, attention_mask):
        attention_output = self.attention(hidden_states, attention_mask)
        return self.output(self.intermediate(attention_output), attention_output)


class BertEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = nn.ModuleList([BertLayer() for _ in range(LAYERS)])

    def forward(self, hidden_states, attention_mask):
        for layer in self.layer:
            hidden_states = layer(hidden_states, attention_mask)
        return hidden_states


class BertPooler(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(HIDDEN, HIDDEN)
        self.activation = nn.Tanh()

    def forward(self, hidden_states):
        return self.activation(self.dense(hidden_states[:, 0]))


class BertModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.embeddings = BertEmbeddings()
        self.encoder = BertEncoder()
        self.pooler = BertPooler()

    def forward(self, input_ids, attention_mask):
        extended = attention_mask[:, None, None, :].to(torch.float32)
        extended = (1.0 - extended) * -10000.0
        return self.pooler(self.encoder(self.embeddings(input_ids), extended))


class BertForSequenceClassification(nn.Module):
    def __init__(self):
        super().__init__()
        self.bert = BertModel()
        self.dropout = nn.Dropout(0.1)
        self.classifier = nn.Linear(HIDDEN, LABELS)

    def forward(self, input_ids, attention_mask):
        return self.classifier(self.dropout(self.bert(input_ids, attention_mask)))


def build():
    torch.manual_seed(SEED)
    m = BertForSequenceClassification()
    with torch.no_grad():
        for p in m.parameters():  # BERT's initializer range, so that the activations are not all saturated
            p.normal_(0.0, 0.2)
    return m.eval()


def inputs():
    g = torch.Generator().manual_seed(SEED + 1)
    ids = torch.randint(1, VOCAB, (BATCH, SEQ), generator=g)
    mask = torch.ones(BATCH, SEQ, dtype=torch.long)
    ids[1, PADDED_AFTER:] = 0
    mask[1, PADDED_AFTER:] = 0
    return ids, mask


def generate(out):
    os.makedirs(out, exist_ok=True)
    model = build()
    ids, mask = inputs()
    with torch.no_grad():
        y = model(ids, mask)
        ts = torch.jit.trace(model, (ids, mask))
    ts.save(os.path.join(out, 'fp32.pt'))
    torch.save(ids, os.path.join(out, 'input_ids.pt'))
    torch.save(mask, os.path.join(out, 'attention_mask.pt'))
    torch.save(y, os.path.join(out, 'float_output.pt'))

    ops = lpot_models.quantizable_ops(model, lpot_models.DYNAMIC)
    choices = lpot_models.all_int8_choices(ops, lpot_models.DYNAMIC, 'minmax')
    for name, op_type in ops:  # torch 1.13 lists Embedding among its dynamic types, but quantizes it weight-only
        if op_type == 'Embedding':
            choices[name] = 'fp32'
    tune_cfg = lpot_models.make_tune_cfg(model, lpot_models.DYNAMIC, choices)
    qm = lpot_models.quantize_like_lpot(model, tune_cfg, [])
    ckpt = os.path.join(out, 'checkpoint')
    os.makedirs(ckpt, exist_ok=True)
    with open(os.path.join(ckpt, lpot_models.TUNE_CFG_FILE), 'w', encoding='utf-8', newline='\n') as f:
        f.write(lpot_models.dump_tune_cfg(tune_cfg))
    torch.save(qm.state_dict(), os.path.join(ckpt, lpot_models.WEIGHTS_FILE))

    engines = [e for e in torch.backends.quantized.supported_engines if e != 'none']
    for engine in engines:  # a packed weight belongs to the engine current when it was packed: load under each
        lpot_models.set_engine(engine)
        loaded, _, _ = lpot_models.lpot_load(ckpt, build())
        with torch.no_grad():
            torch.save(loaded(ids, mask), os.path.join(out, 'int8_output_%s.pt' % engine))
    info = OD([('fp32_keys', list(model.state_dict().keys())), ('ops', [list(o) for o in ops]),
               ('engines', engines), ('default_engine', DEFAULT_ENGINE), ('torch_version', torch.__version__)])
    with open(os.path.join(out, 'case.json'), 'w', encoding='utf-8', newline='\n') as f:
        f.write(json.dumps(info, indent=1) + '\n')


def check(ckpt, out, engine):
    lpot_models.set_engine(engine)
    loaded, _, _ = lpot_models.lpot_load(ckpt, build())
    with torch.no_grad():
        y = loaded(torch.load(os.path.join(out, 'input_ids.pt')), torch.load(os.path.join(out, 'attention_mask.pt')))
    torch.save(y, os.path.join(out, 'torch_on_checkpoint.pt'))


def main(argv):
    if len(argv) == 2 and argv[0] == 'generate':
        lpot_models.setup_determinism()
        generate(argv[1])
        return 0
    if len(argv) == 4 and argv[0] == 'check':
        lpot_models.setup_determinism()
        check(argv[1], argv[2], argv[3])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == '__main__':
    import script_main
    script_main.run(main)
