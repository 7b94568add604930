-- Messages kept from before the neutral markup (issue #13, point 3) were Telegram HTML: those
-- still to be sent, and the messages of open menus shown again on a step, are rewritten in the
-- bot's markup so they read as before (bot/storage/legacy_html.py: text escaped, b/i/code
-- tags as markers, links as [label](address)). What was sent is history and stays as it was.
UPDATE outbox SET text = xat_html_to_markup(text) WHERE status IN ('pending', 'sending');

UPDATE menus SET shown = json_set(shown, '$.text', xat_html_to_markup(json_extract(shown, '$.text')))
WHERE shown IS NOT NULL AND json_extract(shown, '$.text') IS NOT NULL;
