"""Stand-in for lpot.conf.dotdict (Intel LPOT 1.x, the earlier name of Neural Compressor).

Same semantics as upstream's DotDict (identical to neural_compressor.conf.dotdict.DotDict): a dict
subclass that wraps nested dicts (and one-dict lists) as DotDict, answers None for missing keys and
attributes, and pickles its (always empty) __dict__ as state.
"""


class DotDict(dict):
    """Access a dict's items as attributes."""

    def __init__(self, value=None):
        if value is None:
            pass
        elif isinstance(value, dict):
            for key in value:
                self.__setitem__(key, value[key])
        else:
            raise TypeError('expected dict')

    def __getitem__(self, key):
        return self.get(key, None)

    def __setitem__(self, key, value):
        # type(self): upstream names its own DotDict here; the ilit stand-in subclasses this one
        cls = type(self)
        if isinstance(value, dict) and not isinstance(value, cls):
            value = cls(value)
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
            value = cls(value[0])
        if isinstance(value, list) and len(value) > 1 and all(isinstance(v, dict) for v in value):
            value = cls({k: v for d in value for k, v in d.items()})
        super(DotDict, self).__setitem__(key, value)

    def __getstate__(self):
        return self.__dict__

    def __setstate__(self, d):
        self.__dict__.update(d)

    __setattr__, __getattr__ = __setitem__, __getitem__
