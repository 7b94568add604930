"""Pledges (cam kết): the household's yearly safety pledge, the public board, campaigns and
items, individual pledges, and the area's household register (sổ hộ).

``service.py`` holds the use cases (sign, withdraw, import the register); ``model.py`` the
pledge rules; ``households.py`` matching and reading register files; ``screens*.py`` the chat.
"""
