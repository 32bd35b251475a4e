"""Stand-in for neural_compressor.conf."""
