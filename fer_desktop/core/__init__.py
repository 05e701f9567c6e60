"""Qt-free, TensorFlow-free logic of FER Desktop: tested without a window."""
