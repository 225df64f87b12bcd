"""dinhdanh: electronic identification of agencies and organizations (Decree 69/2024/NĐ-CP)."""

__version__ = "0.1.0"
