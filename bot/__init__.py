"""Xóm An Toàn: a chat bot for the whole-people safety movement
(Toàn dân bảo vệ an ninh Tổ quốc)."""

__version__ = "0.1.0"
