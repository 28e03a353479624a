"""The frozen bundle's entry script: the same as the ``intake`` console script."""

from intake.launcher import entry

entry()
