-- Lookups that scanned a table growing with the commune, found on the slowest updates of
-- bench.updates with 100,000 members (issue #12, p99).

-- An area's groups (chats.groups): every patrol ended, report routed or summary posted read
-- all 100,000 private chats to find an area's one or two groups (7 ms at 100,000 members,
-- and the ends of twenty patrols in the same second queued behind each other). Groups only,
-- by area, in id order: also every area's groups (broadcasts, the group list). Only groups are
-- in it, so no statement about private chats is drawn to it (a purge walking the chats by rowid
-- in windows walked every private chat through an index on the kind instead: 17 ms a window).
CREATE INDEX chats_groups ON chats(kind, area_id) WHERE kind = 'group';

-- A person's menus in a chat other than their own (/mydata counts them, /forgetme deletes
-- them): by chat, as menus_user has them by person.
CREATE INDEX menus_chat ON menus(platform, chat_id, user_id);

-- The activity log by or about a person (/mydata): it read the whole log.
CREATE INDEX audit_actor ON audit_log(actor_member_id);

-- A person's conversations in groups (/mydata, /forgetme), as the key has them by chat.
CREATE INDEX conversations_user ON conversations(platform, user_id);

-- The outbox's messages to one chat: /mydata counts them, /forgetme erases them, and the outbox
-- worker skips a chat's pending messages when it blocked the bot (during a broadcast to
-- 100,000 people, each of those read every pending message of the platform).
CREATE INDEX outbox_chat ON outbox(platform, chat_id);
