-- Indexes for lookups that scanned whole tables as the commune grows (issue #12).

-- A member's buttons are dropped by person and chat after an anonymous report
-- (reports.drop_flow_menus): it scanned every menu of every chat.
CREATE INDEX menus_user ON menus(platform, user_id, chat_id);

-- Registered members of an area in name order (patrol pickers, rosters, the pledge board):
-- read in index order, so a picker that shows the first few dozen stops there.
CREATE INDEX members_area_registered ON members(area_id, display_name)
    WHERE consent_at IS NOT NULL;

-- The outbox worker reads pending messages a window at a time in sending order (priority,
-- due time, id): without this, every read sorted the whole queue (100,000 rows in a big
-- broadcast).
CREATE INDEX outbox_window ON outbox(platform, status, priority DESC, not_before, id);
