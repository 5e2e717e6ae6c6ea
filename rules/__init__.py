"""The rule packs bundled with shapelint (installed as ``shapelint.packs``)."""
