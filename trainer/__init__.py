"""The FER Desktop trainer: FER-2013 CSV in, a model the live view can run out.

TensorFlow and Keras are imported only by the modules that build, train, convert and score
networks (``recipe``, ``train``, ``export``, ``convert``, ``distill``, ``ensemble``,
``finetune``, ...), PyTorch only by ``gpu_distill``. The modules the GUI may import (``config``,
``data``, ``events``, ``rundir``, ``runs``, ...: ``tests/test_layers.py`` lists them) stay light,
so the window can build a command line and validate a CSV without either.
"""

from fer_desktop import __version__  # one version for the app and its trainer

__all__ = ["__version__"]
