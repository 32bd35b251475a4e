package io.qcheckpoint.torchscript;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qcheckpoint.pt.CheckpointFormatException;
import org.junit.jupiter.api.Test;

/** Code a hostile archive could hold is refused by the parser with its line, in bounded time and stack. */
class ParserTest {
    private static final String HEAD = "class M(Module):\n  __parameters__ = []\n  def forward(self: __torch__.M,\n"
            + "    x: Tensor) -> Tensor:\n";

    @Test
    void deeplyNestedExpressionsAreRefused() {
        String body = "    return " + "(".repeat(100_000) + "x" + ")".repeat(100_000) + "\n";
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
                () -> Parser.parse("f.pt", "__torch__.py", HEAD + body));
        assertTrue(e.getMessage().contains("nest too deeply"), e.getMessage());
    }

    @Test
    void integersBeyond64BitsAreRefused() {
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
                () -> Parser.parse("f.pt", "__torch__.py", HEAD + "    return torch.add(x, 9" + "9".repeat(5000) + ")\n"));
        assertTrue(e.getMessage().contains("does not fit 64 bits"), e.getMessage());
    }

    @Test
    void unsupportedStatementsAreRefusedWithLineAndClass() {
        UnsupportedScriptException e = assertThrows(UnsupportedScriptException.class,
                () -> Parser.parse("f.pt", "__torch__.py", HEAD + "    x0 = x\n    while True:\n      pass\n    return x0\n"));
        assertEquals("f.pt: code/__torch__.py line 6: class __torch__.M: 'while' statements are not supported",
                e.getMessage());
    }

    @Test
    void theSubsetTorchWritesParses() throws Exception {
        Ast.CodeFile f = Parser.parse("f.pt", "__torch__.py", HEAD
                + "    _0, _1, = torch.chunk(x, 2, 1)\n    if torch.eq(torch.size(x, 0), 1):\n      y = _0\n"
                + "    else:\n      y = torch.cat([_0, _1], -1)\n    return torch.view(y, [-1, 2 * 3 // 2])\n");
        Ast.Def forward = f.classes().get(0).method("forward");
        assertEquals(3, forward.body().size());
        assertTrue(forward.body().get(1) instanceof Ast.If);
    }
}
