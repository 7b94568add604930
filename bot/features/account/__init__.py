"""Account: /start (onboarding and consent), /help, /language, /mydata and /forgetme.

Only screens: what a person's data is, each feature says in its own ``data_section`` and
forget hooks, which /mydata and /forgetme collect through the registry.
"""
