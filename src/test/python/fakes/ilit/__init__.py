"""Stand-in for the ilit package (iLiT, the name of LPOT before 1.0; only conf.dotdict.DotDict)."""
