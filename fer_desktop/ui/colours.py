"""Every fixed colour of the window, named once.

Each pair of text and background here is checked for WCAG's 4.5:1 contrast by
``tests/test_ui_a11y.py``, which imports these names: a colour changed here is checked there.
"""

from __future__ import annotations

from fer_desktop.core.emotions import EMOTIONS
from fer_desktop.core.overlay import PALETTE

# The overlay's colour-blind-safe palette (BGR there) as Qt colours, so that bars, curves,
# legends and boxes agree
EMOTION_COLORS: dict[str, str] = {e: "#{2:02X}{1:02X}{0:02X}".format(*PALETTE[e]) for e in EMOTIONS}

# Text on the window's own light grey
ERROR_COLOUR = "#b00020"  # form errors, a failed run, a worse number, an unreadable face
HELP_TEXT_COLOUR = "#595959"  # grey, yet 6:1 on the window's background
REC_COLOUR = "#b3261e"  # the REC indicator: 5.9:1
COLLECT_COLOUR = "#1a5e20"  # the Collecting indicator, a dark green
BETTER_COLOUR = "#1b7a2f"  # a better number in the comparison table (on its white)
HINT_TEXT_COLOUR = "#555555"  # a line standing in for what is not there yet (the empty plots
# and chart) or saying which moment Why this answer? explains: 6.5:1 on the window, 7.5:1 on white

# The probability bars (side panel and Why this answer?), dark
BAR_BORDER = "#5a5a60"
BAR_BACKGROUND = "#2a2a30"
BAR_TEXT = "#f0f0f0"

# Backgrounds without text of their own
CHART_BACKGROUND = "#1e1e22"  # the whole-file analysis chart
LOADING_PLACEHOLDER = "#d6d6d6"  # a face in Review not read yet

# The Train tab's plots, on white (a curve's colour is named in its tooltip and the legend)
PLOT_BACKGROUND = "#ffffff"
PLOT_TEXT = "#333333"  # titles, axis labels and tick numbers
PLOT_AXIS = "#999999"  # the axis lines
PLOT_TRAINING = "#1f77b4"  # training loss and accuracy: blue circles
PLOT_HELD_OUT = "#e67814"  # PublicTest (or the run's own test faces): orange squares
PLOT_BATCHES = "#7896c8"  # the running mean of the loss over the batches: a thin grey-blue
PLOT_OTHER_RUN = "#009e73"  # another run's held-out curves, dashed: Okabe & Ito's bluish green

# The video area: its background around the picture, and a message drawn there with no picture
VIDEO_BACKGROUND = "#18181c"
VIDEO_MESSAGE_TEXT = "#d2d2d7"
# the followed face's dashed box: white dashes on a black line, seen on any picture
HIGHLIGHT_UNDER, HIGHLIGHT_DASHES = "#000000", "#ffffff"
# a confusion table cell's count: white on its darker blues, black on the paler
HEAT_TEXT_DARK, HEAT_TEXT_PALE = "#ffffff", "#000000"

# Banners
SAVED_TEXT, SAVED_BACKGROUND, SAVED_BORDER = "#1b3d22", "#e3f1e6", "#7fb48a"
SOURCE_ERROR_TEXT, SOURCE_ERROR_BACKGROUND = "#ffffff", "#5c1f1f"

# (foreground, background) pairs the tests hold to 4.5:1; text on the window's grey is
# checked against the palette the test run really has
FIXED_PAIRS = ((BAR_TEXT, BAR_BACKGROUND), (SAVED_TEXT, SAVED_BACKGROUND),
               (SOURCE_ERROR_TEXT, SOURCE_ERROR_BACKGROUND), (BETTER_COLOUR, "#ffffff"),
               (ERROR_COLOUR, "#ffffff"), (VIDEO_MESSAGE_TEXT, VIDEO_BACKGROUND),
               (PLOT_TEXT, PLOT_BACKGROUND), (HINT_TEXT_COLOUR, PLOT_BACKGROUND))
ON_WINDOW = (ERROR_COLOUR, HELP_TEXT_COLOUR, REC_COLOUR, COLLECT_COLOUR, HINT_TEXT_COLOUR)
