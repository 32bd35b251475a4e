"""Stand-in for the lpot package (only conf.dotdict.DotDict), for unpickling checkpoints."""
