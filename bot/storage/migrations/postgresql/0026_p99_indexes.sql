-- Lookups that scanned a table growing with the commune (issue #12, p99); the same indexes as
-- SQLite's 0026_p99_indexes.sql, the groups' one partial as there.

-- An area's groups (chats.groups), groups only.
CREATE INDEX chats_groups ON chats(kind, area_id) WHERE kind = 'group';

-- A person's menus in a chat other than their own (/mydata, /forgetme).
CREATE INDEX menus_chat ON menus(platform, chat_id, user_id);

-- The activity log by or about a person (/mydata).
CREATE INDEX audit_actor ON audit_log(actor_member_id);

-- A person's conversations in groups (/mydata, /forgetme).
CREATE INDEX conversations_user ON conversations(platform, user_id);

-- The outbox's messages to one chat (/mydata, /forgetme, the worker skipping a blocked chat).
CREATE INDEX outbox_chat ON outbox(platform, chat_id);
