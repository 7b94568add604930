-- Messages kept from before the neutral markup (issue #13, point 3) were Telegram HTML: those
-- still to be sent, and the messages of open menus shown again on a step, are rewritten in the
-- bot's markup so they read as before. The old texts never used the markup's signs as markup,
-- so those are escaped first; then the tags the bot wrote become markup, then the entities text.
-- (Links written as <a href> are left as they are: none of the kept kinds of message had one.)
UPDATE outbox SET text =
    REPLACE(REPLACE(REPLACE(REPLACE(
    REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(
    REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(
    text,
    '\', '\\'), '*', '\*'), '_', '\_'), '`', '\`'), '[', '\['), ']', '\]'),
    '<b>', '*'), '</b>', '*'), '<i>', '_'), '</i>', '_'), '<code>', '`'), '</code>', '`'),
    '&lt;', '<'), '&gt;', '>'), '&quot;', '"'), '&amp;', '&')
WHERE status IN ('pending', 'sending');

UPDATE menus SET shown = json_set(shown, '$.text',
    REPLACE(REPLACE(REPLACE(REPLACE(
    REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(
    REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(
    json_extract(shown, '$.text'),
    '\', '\\'), '*', '\*'), '_', '\_'), '`', '\`'), '[', '\['), ']', '\]'),
    '<b>', '*'), '</b>', '*'), '<i>', '_'), '</i>', '_'), '<code>', '`'), '</code>', '`'),
    '&lt;', '<'), '&gt;', '>'), '&quot;', '"'), '&amp;', '&'))
WHERE shown IS NOT NULL AND json_extract(shown, '$.text') IS NOT NULL;
