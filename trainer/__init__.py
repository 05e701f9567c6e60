"""The FER Desktop trainer: FER-2013 CSV in, a model the live view can run out.

TensorFlow and Keras are imported only by the modules that train, evaluate and export
(``recipe``, ``train``, ``evaluate``, ``export``); ``config``, ``data`` and ``events`` stay
light so the GUI can build a command line and validate a CSV without them.
"""

__all__ = ["__version__"]
__version__ = "0.1.0"
