"""Stand-in for the neural_compressor package (only conf.dotdict.DotDict), for unpickling checkpoints."""
