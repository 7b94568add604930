-- Pledges (cam kết): yearly campaigns, the catalog of pledge items per audience, the households'
-- signed pledges (never erased: a withdrawal is recorded with its time), and individual pledges
-- (cam kết cá biệt) taken by officers from specific people.
-- Campaign days are local calendar days (Asia/Ho_Chi_Minh) as YYYY-MM-DD; both ends included.

CREATE TABLE pledge_campaigns (
    id          INTEGER PRIMARY KEY,
    title       TEXT NOT NULL,
    starts_on   TEXT NOT NULL,
    ends_on     TEXT NOT NULL,
    created_by  INTEGER REFERENCES members(id) ON DELETE SET NULL,
    created_at  TEXT NOT NULL,
    CHECK (ends_on >= starts_on)
);
CREATE INDEX pledge_campaigns_days ON pledge_campaigns(starts_on, ends_on);

-- audience: household, business, religious (religious establishment), institution (school or
-- agency). Both wordings are stored so officers can reword each; an empty English wording falls
-- back to the Vietnamese one.
CREATE TABLE pledge_items (
    id          INTEGER PRIMARY KEY,
    audience    TEXT NOT NULL
                CHECK (audience IN ('household', 'business', 'religious', 'institution')),
    position    INTEGER NOT NULL,
    text_vi     TEXT NOT NULL,
    text_en     TEXT NOT NULL DEFAULT '',
    builtin     INTEGER NOT NULL DEFAULT 0,
    retired_at  TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX pledge_items_audience ON pledge_items(audience, position);

CREATE TABLE pledges (
    id             INTEGER PRIMARY KEY,
    campaign_id    INTEGER NOT NULL REFERENCES pledge_campaigns(id) ON DELETE CASCADE,
    area_id        INTEGER REFERENCES areas(id) ON DELETE SET NULL,
    audience       TEXT NOT NULL,
    head_name      TEXT NOT NULL,
    address        TEXT NOT NULL,
    household_key  TEXT NOT NULL,
    member_id      INTEGER REFERENCES members(id) ON DELETE SET NULL,
    public         INTEGER NOT NULL DEFAULT 0,
    reference      TEXT NOT NULL UNIQUE,
    signed_at      TEXT NOT NULL,
    withdrawn_at   TEXT,
    withdrawn_by   INTEGER REFERENCES members(id) ON DELETE SET NULL
);
-- One standing pledge per household per campaign and area; a withdrawn one may be signed again.
CREATE UNIQUE INDEX pledges_one_per_household
    ON pledges(campaign_id, COALESCE(area_id, 0), household_key) WHERE withdrawn_at IS NULL;
CREATE INDEX pledges_member ON pledges(member_id);
CREATE INDEX pledges_area ON pledges(campaign_id, area_id);

-- The items as they were worded when the household signed, and whether each was left out.
CREATE TABLE pledge_lines (
    pledge_id  INTEGER NOT NULL REFERENCES pledges(id) ON DELETE CASCADE,
    item_id    INTEGER REFERENCES pledge_items(id) ON DELETE SET NULL,
    position   INTEGER NOT NULL,
    text       TEXT NOT NULL,
    left_out   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (pledge_id, position)
);

-- Other members of a household that already signed (so they are not reminded, and can see it).
CREATE TABLE pledge_household_members (
    pledge_id  INTEGER NOT NULL REFERENCES pledges(id) ON DELETE CASCADE,
    member_id  INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    linked_at  TEXT NOT NULL,
    PRIMARY KEY (pledge_id, member_id)
);
CREATE INDEX pledge_household_members_member ON pledge_household_members(member_id);

CREATE TABLE individual_pledges (
    id           INTEGER PRIMARY KEY,
    person_name  TEXT NOT NULL,
    member_id    INTEGER REFERENCES members(id) ON DELETE SET NULL,
    area_id      INTEGER REFERENCES areas(id) ON DELETE SET NULL,
    content      TEXT NOT NULL,
    taken_on     TEXT NOT NULL,
    taken_by     TEXT NOT NULL,
    recorded_by  INTEGER REFERENCES members(id) ON DELETE SET NULL,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX individual_pledges_member ON individual_pledges(member_id);

-- The built-in catalog.
INSERT INTO pledge_items (audience, position, text_vi, text_en, builtin, created_at, updated_at)
VALUES
('household', 1,
 'Không sử dụng, tàng trữ, mua bán trái phép chất ma túy; không để người thân sa vào ma túy.',
 'Not use, keep or trade illegal drugs, and keep family members away from drugs.',
 1, '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00'),
('household', 2,
 'Không tàng trữ, sử dụng vũ khí, vật liệu nổ, công cụ hỗ trợ; không sản xuất, mua bán, đốt pháo trái phép.',
 'Not keep or use weapons, explosives or support tools; not make, trade or set off illegal fireworks.',
 1, '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00'),
('household', 3,
 'Chấp hành nghiêm quy định về cư trú: đăng ký thường trú, tạm trú, thông báo lưu trú đầy đủ.',
 'Obey the residence rules: register permanent and temporary residence and report overnight guests.',
 1, '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00'),
('household', 4,
 'Bảo đảm an toàn phòng cháy, chữa cháy trong gia đình: điện, gas, sạc xe điện an toàn.',
 'Keep the home safe from fire: safe wiring, gas, and charging of electric bikes.',
 1, '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00'),
('household', 5,
 'Kịp thời tố giác tội phạm, báo tin về người, phương tiện và hoạt động đáng nghi cho Công an.',
 'Report crime, suspicious people, vehicles and activity to the police without delay.',
 1, '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00'),
('household', 6,
 'Tham gia hòa giải mâu thuẫn, tranh chấp ở cơ sở; không để xảy ra xô xát, đánh nhau.',
 'Take part in mediating disputes in the community, and let no quarrel turn into a fight.',
 1, '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00'),
('household', 7,
 'Giáo dục các thành viên trong gia đình chấp hành pháp luật, không vi phạm pháp luật.',
 'Teach the members of the family to respect the law and not to break it.',
 1, '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00'),
('household', 8,
 'Giữ gìn vệ sinh môi trường, trật tự công cộng; không lấn chiếm lòng đường, vỉa hè.',
 'Keep the area clean and orderly; do not take over roads or pavements.',
 1, '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00'),
('household', 9,
 'Cảnh giác với lừa đảo qua mạng: không cung cấp mã OTP, không chuyển tiền theo yêu cầu của người lạ.',
 'Watch out for online fraud: never give OTP codes or send money when strangers ask.',
 1, '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00'),
('business', 1,
 'Kinh doanh đúng ngành nghề đăng ký; không buôn bán hàng cấm, pháo nổ, hàng giả.',
 'Trade only in the registered line of business; no banned goods, fireworks or counterfeits.',
 1, '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00'),
('business', 2,
 'Không để xảy ra mua bán, sử dụng ma túy, cờ bạc, mại dâm tại cơ sở kinh doanh.',
 'Allow no drug dealing or use, gambling or prostitution on the premises.',
 1, '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00'),
('business', 3,
 'Thông báo lưu trú, đăng ký tạm trú cho người lao động và khách theo quy định.',
 'Register the residence of workers and report staying guests as the rules require.',
 1, '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00'),
('business', 4,
 'Bảo đảm điều kiện phòng cháy, chữa cháy; trang bị bình chữa cháy tại cơ sở.',
 'Meet the fire safety conditions and keep fire extinguishers on the premises.',
 1, '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00'),
('business', 5,
 'Không lấn chiếm lòng đường, vỉa hè; đóng cửa đúng giờ quy định, không gây ồn ào.',
 'Do not take over roads or pavements; close at the permitted hours and keep noise down.',
 1, '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00'),
('business', 6,
 'Kịp thời báo tin cho Công an về tội phạm, người và hàng hóa đáng nghi.',
 'Report crime and suspicious people or goods to the police without delay.',
 1, '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00'),
('religious', 1,
 'Hoạt động tín ngưỡng, tôn giáo đúng quy định của pháp luật.',
 'Carry out activities of belief and religion as the law provides.',
 1, '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00'),
('religious', 2,
 'Bảo đảm phòng cháy, chữa cháy khi thắp hương, đốt nến, tổ chức lễ hội.',
 'Keep fire safety with incense, candles and festivals.',
 1, '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00'),
('religious', 3,
 'Thông báo lưu trú cho người đến ở lại tại cơ sở.',
 'Report the stay of people who stay overnight at the establishment.',
 1, '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00'),
('religious', 4,
 'Giữ gìn an ninh, trật tự, vệ sinh trong các dịp lễ hội; không để xảy ra trộm cắp, cờ bạc.',
 'Keep order and cleanliness during festivals; allow no theft or gambling.',
 1, '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00'),
('religious', 5,
 'Tuyên truyền tín đồ chấp hành pháp luật, tham gia bảo vệ an ninh trật tự ở địa phương.',
 'Encourage followers to respect the law and take part in keeping the area safe.',
 1, '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00'),
('institution', 1,
 'Giáo dục cán bộ, học sinh chấp hành pháp luật; không vi phạm pháp luật về ma túy.',
 'Teach staff and students to respect the law; no involvement with drugs.',
 1, '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00'),
('institution', 2,
 'Không tàng trữ, sử dụng vũ khí, vật liệu nổ, pháo nổ trong cơ quan, trường học.',
 'No weapons, explosives or fireworks on the premises of the agency or school.',
 1, '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00'),
('institution', 3,
 'Bảo đảm an toàn phòng cháy, chữa cháy và an toàn giao thông.',
 'Keep fire safety and traffic safety.',
 1, '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00'),
('institution', 4,
 'Phối hợp với Công an xã, phường giữ gìn an ninh, trật tự khu vực xung quanh.',
 'Work with the commune police to keep the surrounding area safe and orderly.',
 1, '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00'),
('institution', 5,
 'Cảnh giác, phòng chống lừa đảo qua mạng và bạo lực học đường.',
 'Watch out for online fraud and violence at school.',
 1, '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00');
