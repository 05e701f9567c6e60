"""FER Desktop: real-time facial emotion recognition on the desktop."""

__version__ = "0.1.0"
APP_NAME = "FER Desktop"
# The packaged app runs the trainer as its own executable with this flag (see cli.py).
TRAINER_FLAG = "--trainer"
