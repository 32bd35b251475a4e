"""Stand-in for ilit.conf.dotdict (iLiT, the name of Intel LPOT before 1.0).

iLiT's DotDict is LPOT's (lpot.conf.dotdict.DotDict) under its earlier module name; only the module differs, which
is what PyYAML and pickle write.
"""
from lpot.conf.dotdict import DotDict as _LpotDotDict


class DotDict(_LpotDotDict):
    """Access a dict's items as attributes."""
