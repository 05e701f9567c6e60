"""``fer-desktop``: the one entry point of the app, frozen or not.

* ``fer-desktop [--source ...] [--snapshot OUT.png] ...``  the window (``fer_desktop.ui.app``)
* ``fer-desktop analyze INPUT... --out results.csv``         batch analysis, no window
* ``fer-desktop merge PART.csv... --out results.csv``        join the CSVs of ``analyze --shard``
* ``fer-desktop --selftest`` / ``--selftest-trainer``        checks of a (packaged) install
* ``fer-desktop --trainer ARGS...``                          the trainer, for the frozen app:
  the Train tab starts the app's own executable with this flag (``python -m trainer`` otherwise)

Heavy imports happen inside each branch so that ``--help`` and the window start fast and the
window's process never imports TensorFlow.
"""

from __future__ import annotations

import sys

from fer_desktop import TRAINER_FLAG


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    _printable_output()
    if getattr(sys, "frozen", False):  # analyze --jobs starts workers with the app's executable
        import multiprocessing

        multiprocessing.freeze_support()
    if argv[:1] == [TRAINER_FLAG]:
        from trainer.cli import main as trainer_main

        return trainer_main(argv[1:])
    if argv[:1] == ["analyze"]:
        from fer_desktop.core.analyze import main as analyze_main

        return analyze_main(argv[1:])
    if argv[:1] == ["merge"]:
        from fer_desktop.core.batch import merge_main

        return merge_main(argv[1:])
    if argv[:1] in (["--selftest"], ["--selftest-trainer"]):
        from fer_desktop.selftest import main as selftest_main

        return selftest_main(argv)
    from fer_desktop.ui.app import main as app_main

    return app_main(argv)



def _printable_output() -> None:
    """A file name that is not UTF-8 printed with its stray byte escaped (``caf\\udce9.avi``),
    as Python's stderr already does: in a strict UTF-8 locale the analysis summary on stdout
    raised UnicodeEncodeError after the CSV was written (review 38)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


if __name__ == "__main__":  # last: above _printable_output, `python -m fer_desktop.cli`
    sys.exit(main())        # raised a NameError (audit 44)
