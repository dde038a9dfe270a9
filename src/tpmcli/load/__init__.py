"""Item files to items: finding them, parsing them (on several cores when it pays)."""
