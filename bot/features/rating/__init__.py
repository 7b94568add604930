"""The yearly rating of safe residential areas (Thông tư 124/2021/TT-BCA).

``model.py`` the criteria and rules; ``service.py`` the use cases and the loaders;
``texts.py`` the sentences; ``screens*.py`` the chat (/rating).
"""
