"""The content library: short awareness messages for people reading on a phone, several
variants per topic so that repeats do not bore. Each variant has Vietnamese and English text.

The texts are data, not interface strings: they are written whole in both languages here
(the catalogs hold the bot's own words around them). Emergency numbers: 113 police,
114 fire and rescue, 115 ambulance. ``{police}`` (``{Police}`` at the start of a sentence)
stands for the police the reader goes to: the commune's, by its name where the message goes to
one commune (see bot.features.broadcasts.service.police_words).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LibraryMessage:
    key: str  # "<topic>.<n>"
    topic: str
    vi: str
    en: str

    def text(self, language: str, police: str) -> str:
        """The text in ``language``, naming the police as ``police`` (markup)."""
        text = self.en if language == "en" else self.vi
        capital = police[:1].upper() + police[1:]
        return text.replace("{Police}", capital).replace("{police}", police)


def unwrap(text: str) -> str:
    """Join lines wrapped in the source (a line starting with a small letter continues the one
    before it), so that phones wrap the text themselves."""
    lines: list[str] = []
    for line in text.strip().splitlines():
        if lines and line[:1].islower():
            lines[-1] = f"{lines[-1]} {line}"
        else:
            lines.append(line)
    return "\n".join(lines)


def _m(key: str, vi: str, en: str) -> LibraryMessage:
    return LibraryMessage(key, key.split(".")[0], unwrap(vi), unwrap(en))


LIBRARY: tuple[LibraryMessage, ...] = (
    # Fire safety (PCCC) ---------------------------------------------------------------
    _m(
        "fire.1",
        """
🔥 *Sạc xe điện qua đêm rất dễ cháy*
Nhiều vụ cháy nhà chết người bắt đầu từ xe máy điện, xe đạp điện cắm sạc qua đêm trong nhà.
• Sạc xong trước khi đi ngủ, rút phích cắm.
• Để xe và chỗ sạc xa lối thoát nạn, xa đồ dễ cháy.
• Dùng đúng bộ sạc của hãng, không sạc pin phồng, pin sửa chữa.
Có cháy: gọi ngay *114*.
""",
        """
🔥 *Charging an e-bike overnight can start a fire*
Many deadly house fires start from electric scooters and e-bikes left charging at night.
• Finish charging before bed and unplug.
• Keep the bike and charger away from the way out and from anything that burns.
• Use the maker's charger; never charge a swollen or repaired battery.
In a fire, call *114* at once.
""",
    ),
    _m(
        "fire.2",
        """
🔥 *Trước khi ngủ, cả nhà kiểm tra 3 việc*
1. Khóa van bình gas.
2. Tắt bếp, tắt hương, nến trên bàn thờ.
3. Rút phích các thiết bị không dùng, nhất là ổ cắm nối dài đang nóng.
Nhà ống, nhà có lồng sắt: hãy làm sẵn một lối thoát thứ hai (ô mở trên lồng sắt, lối lên mái).
""",
        """
🔥 *Three checks before the family goes to bed*
1. Close the gas cylinder valve.
2. Turn off the stove; put out incense and candles on the altar.
3. Unplug what you do not use, especially a hot extension lead.
Tube houses and houses with iron cages: prepare a second way out (a hatch in the cage, a way
to the roof).
""",
    ),
    _m(
        "fire.3",
        """
🧯 *Mỗi nhà nên có một bình chữa cháy*
Một bình bột nhỏ (khoảng 4 kg) chỉ vài trăm nghìn đồng nhưng dập được đám cháy lúc mới bắt đầu.
Nhớ cách dùng: *Rút chốt – Hướng vòi vào gốc lửa – Bóp cò*.
Khi khói nhiều: bò thấp, che mũi bằng khăn ướt, ra ngoài và gọi *114*.
""",
        """
🧯 *Every home should have a fire extinguisher*
A small powder extinguisher (about 4 kg) costs a few hundred thousand dong and puts out a fire
while it is small. Remember: *Pull the pin – Aim at the base of the fire – Squeeze*.
In thick smoke: stay low, cover your nose with a wet cloth, get out and call *114*.
""",
    ),
    # Online fraud ---------------------------------------------------------------------
    _m(
        "fraud.1",
        """
📵 *Công an KHÔNG gọi điện bảo “cập nhật VNeID”*
Kẻ gian giả danh công an, cán bộ phường xã gọi điện, gửi đường link hoặc bảo cài ứng dụng lạ
để “cập nhật định danh, tích hợp VNeID”. Cài vào là bị chiếm điện thoại, rút sạch tiền.
• Không bấm link lạ, không cài ứng dụng ngoài CH Play/App Store.
• Việc về VNeID, hãy đến trực tiếp {police}.
Nghi ngờ: báo ngay {police} hoặc gọi *113*.
""",
        """
📵 *The police do NOT call you to “update VNeID”*
Scammers pose as police or commune officials, call or send a link, or ask you to install an app
to “update your ID” or “link VNeID”. Once installed, they take over the phone and empty your
accounts. • Never tap unknown links or install apps from outside the official stores.
• For anything about VNeID, go to {police} in person.
If in doubt, tell {police} or call *113*.
""",
    ),
    _m(
        "fraud.2",
        """
🏦 *Mã OTP là chìa khóa tài khoản của bạn*
Ngân hàng không bao giờ nhắn tin kèm đường link yêu cầu đăng nhập, và không ai có quyền hỏi mã OTP.
Tin nhắn báo “tài khoản bị khóa”, “nhận quà tri ân”, “hoàn tiền” kèm link là lừa đảo.
Lỡ bấm hoặc lỡ đọc OTP: gọi ngay tổng đài ngân hàng để khóa tài khoản, rồi báo công an.
""",
        """
🏦 *Your OTP code is the key to your bank account*
Banks never text a link asking you to log in, and nobody has the right to ask for your OTP.
Messages about a “locked account”, a “thank-you gift” or a “refund” with a link are scams.
If you tapped one or gave a code: call your bank's hotline at once to lock the account, then
tell the police.
""",
    ),
    _m(
        "fraud.3",
        """
💸 *“Việc nhẹ lương cao” – mất tiền thật*
Nhận việc làm thêm online, “chốt đơn”, “thả tim”, làm nhiệm vụ được hoa hồng: lúc đầu trả vài
chục nghìn cho tin, sau bắt nạp tiền ngày càng lớn rồi chiếm luôn.
Rủ đầu tư tiền ảo, chứng khoán “lãi 30%/tháng” cũng là lừa đảo.
Không chuyển tiền cho người chỉ quen qua mạng. Cả nhà cùng nhắc nhau, nhất là các cháu học sinh,
sinh viên.
""",
        """
💸 *“Light work, high pay” costs real money*
Online side jobs such as “confirming orders”, “liking posts” or “tasks with commission” pay a
little at first, then ask for bigger and bigger deposits and keep them.
Offers to invest in crypto or stocks with “30% a month” are scams too.
Never send money to someone you know only online. Warn each other, especially students.
""",
    ),
    _m(
        "fraud.4",
        """
📞 *Cảnh giác cuộc gọi “đòi nợ”, “người nhà cấp cứu”*
Kẻ gian gọi tự xưng nhân viên đòi nợ, bảo bạn là người bảo lãnh khoản vay; hoặc báo con em
đang cấp cứu, cần chuyển tiền gấp. Chúng đe dọa, hối thúc để bạn không kịp suy nghĩ.
• Bình tĩnh, gác máy, gọi lại cho người thân bằng số quen.
• Không chuyển tiền, không gửi ảnh CCCD.
Bị đe dọa, khủng bố tin nhắn: báo {police}.
""",
        """
📞 *Beware of “debt collectors” and “your relative is in hospital” calls*
Callers claim you guaranteed someone's loan, or that your child is in the emergency room and
money is needed now. They threaten and rush you so you cannot think.
• Stay calm, hang up, call your relative back on the number you know.
• Send no money and no photo of your ID card.
If you are threatened or flooded with messages, tell {police}.
""",
    ),
    # Drowning -------------------------------------------------------------------------
    _m(
        "drowning.1",
        """
🌊 *Hè đến, giữ an toàn cho trẻ ở sông, hồ, ao*
Đuối nước là nguyên nhân gây tử vong hàng đầu ở trẻ em mùa hè.
• Không để trẻ đi tắm sông, hồ, ao, đập một mình hoặc chỉ với bạn nhỏ.
• Cho con học bơi ở nơi có người hướng dẫn.
• Lấp hoặc rào các hố nước, ao quanh nhà.
Thấy người đuối nước: hô hoạn, ném phao, sào, dây; không nhảy xuống nếu không biết cứu.
""",
        """
🌊 *Summer is here: keep children safe near rivers, lakes and ponds*
Drowning is a leading cause of death of children in summer.
• Never let children swim in rivers, lakes, ponds or dams alone or only with other children.
• Let them learn to swim with an instructor.
• Fill in or fence water holes and ponds near the house.
If someone is drowning: shout for help, throw a float, pole or rope; do not jump in unless
you are trained.
""",
    ),
    _m(
        "drowning.2",
        """
🛶 *Đi đò, đi thuyền: luôn mặc áo phao*
Không đi đò quá tải, không đi khi mưa to, nước lũ. Người lớn làm gương, cho trẻ mặc áo phao
trước khi lên thuyền. Mùa mưa lũ tuyệt đối không lội qua ngầm, tràn đang có nước chảy xiết.
""",
        """
🛶 *On a ferry or boat, always wear a life jacket*
Do not board an overloaded boat, nor travel in heavy rain or floods. Adults set the example:
children put on a life jacket before boarding. In the flood season never wade across a
flooded ford or spillway.
""",
    ),
    # Traffic --------------------------------------------------------------------------
    _m(
        "traffic.1",
        """
🛵 *Đã uống rượu bia – không lái xe*
Mức phạt nồng độ cồn với xe máy lên tới 8–10 triệu đồng, tước giấy phép lái xe đến 24 tháng.
Quan trọng hơn: một lần chủ quan có thể mất cả mạng người.
Đi ăn cỗ, đám cưới: nhờ người không uống đưa về hoặc gọi xe.
""",
        """
🛵 *If you drink, don't drive*
Drink-driving on a motorbike is fined up to 8–10 million dong and the licence taken for
up to 24 months. Worse, one careless ride can cost a life.
After a party or a wedding, ride home with someone sober or call a taxi.
""",
    ),
    _m(
        "traffic.2",
        """
⛑ *Đội mũ bảo hiểm đúng cách, kể cả đi gần*
Cài quai chắc chắn; trẻ em từ 6 tuổi trở lên đi xe máy phải đội mũ bảo hiểm.
Không chở quá số người quy định, không để trẻ chưa đủ tuổi lái xe máy đi học.
""",
        """
⛑ *Wear your helmet properly, even for short trips*
Fasten the strap; children aged 6 and over must wear a helmet on a motorbike.
Do not carry more people than allowed, and do not let under-age children ride a motorbike to
school.
""",
    ),
    # Drugs ----------------------------------------------------------------------------
    _m(
        "drugs.1",
        """
🚫 *Ma túy núp bóng “nước vui”, “kẹo”, “thuốc lá điện tử”*
Ma túy mới được pha vào nước uống, bánh kẹo, tinh dầu thuốc lá điện tử, rất khó nhận ra.
Dặn con em không nhận đồ ăn, nước uống, thuốc lá từ người lạ.
Phát hiện mua bán, sử dụng ma túy: báo {police}, thông tin người báo được giữ bí mật.
""",
        """
🚫 *Drugs hidden in “happy water”, sweets and vapes*
New drugs are mixed into drinks, sweets and vape liquids and are hard to recognise.
Tell young people not to accept food, drinks or vapes from strangers.
If you see drugs sold or used, tell {police}; the name of whoever reports is kept
secret.
""",
    ),
    _m(
        "drugs.2",
        """
💬 *Con thay đổi thất thường? Hãy trò chuyện sớm*
Bỏ học, thức đêm, hay xin tiền, bạn bè lạ, đồ dùng lạ (giấy bạc, ống hút, bình tinh dầu) có thể
là dấu hiệu dùng ma túy. Đừng giấu: cán bộ công an, y tế xã sẽ tư vấn kín đáo để giúp cháu sớm.
""",
        """
💬 *Has your child changed suddenly? Talk early*
Skipping school, staying up at night, asking for money, new friends and odd objects (foil,
straws, vape bottles) may be signs of drug use. Do not hide it: {police} and the health
station give confidential advice to help early.
""",
    ),
    # Fireworks ban --------------------------------------------------------------------
    _m(
        "fireworks.1",
        """
🧨 *Tết này, không mua bán, tàng trữ, đốt pháo nổ*
Theo Nghị định 137/2020/NĐ-CP, pháo nổ bị cấm; vi phạm có thể bị phạt tiền hoặc xử lý hình sự.
Mỗi năm đều có các cháu bị dập nát bàn tay, mù mắt vì tự chế pháo.
Phụ huynh hãy kiểm tra, nhắc nhở con em; thấy mua bán pháo, báo {police}.
""",
        """
🧨 *This Tết, do not buy, keep or set off firecrackers*
Under Decree 137/2020/ND-CP explosive fireworks are banned; offenders can be fined or
prosecuted. Every year children lose fingers or eyes making their own firecrackers.
Parents, please check and remind your children; report anyone selling them to {police}.
""",
    ),
    _m(
        "fireworks.2",
        """
🎆 *Đón Tết vui, an toàn: không tự chế pháo*
Mua thuốc pháo trên mạng, tự làm pháo là vi phạm pháp luật và cực kỳ nguy hiểm.
Chỉ dùng pháo hoa không gây tiếng nổ do đơn vị được phép sản xuất, bán tại cửa hàng hợp pháp,
và dùng đúng hướng dẫn.
""",
        """
🎆 *Celebrate Tết safely: never make your own firecrackers*
Buying gunpowder online and making firecrackers breaks the law and is very dangerous.
Only use non-explosive fireworks made by licensed producers, bought from a legal shop, and
follow the instructions.
""",
    ),
    # Weapons and explosives -----------------------------------------------------------
    _m(
        "weapons.1",
        """
🗡 *Giao nộp vũ khí, vật liệu nổ – an toàn cho cả xóm*
Nhà còn súng tự chế, súng săn, dao kiếm, lựu đạn, bom mìn, đạn cũ? Hãy mang đến hoặc báo {police}
để thu hồi. Người tự nguyện giao nộp không bị xử lý về hành vi tàng trữ.
Tuyệt đối không cưa, đục, đốt vật liệu nổ tìm được, không bán cho người thu mua phế liệu.
""",
        """
🗡 *Hand in weapons and explosives: safer for the whole village*
Is there a home-made or hunting gun, a sword, a grenade, a mine or old ammunition at home?
Bring it to {police} or tell them to collect it. Whoever hands it in voluntarily is
not punished for keeping it. Never saw, chisel or burn explosives you find, nor sell them as
scrap.
""",
    ),
    # VNeID ----------------------------------------------------------------------------
    _m(
        "vneid.1",
        """
🪪 *Kích hoạt tài khoản định danh điện tử VNeID mức 2*
Với VNeID mức 2, bạn dùng giấy tờ điện tử thay bản giấy, làm thủ tục hành chính nhanh hơn.
Đăng ký tại trụ sở {police}, mang theo CCCD gắn chip và điện thoại có số thuê bao chính chủ.
Việc đăng ký *miễn phí*. Chỉ tải ứng dụng VNeID từ CH Play hoặc App Store.
""",
        """
🪪 *Activate your level-2 VNeID electronic ID*
With VNeID level 2 you can show digital papers and do paperwork faster.
Register at the office of {police} with your chip ID card and a phone number in your own
name. It is *free*. Only download the VNeID app from Google Play or the App Store.
""",
    ),
    _m(
        "vneid.2",
        """
🔐 *Giữ an toàn tài khoản VNeID*
Không cho ai mượn điện thoại để “kích hoạt hộ”, không đọc mã kích hoạt hay OTP cho người khác.
Công an không gọi điện yêu cầu cài lại VNeID. Quên mật khẩu: đến {police} để được hỗ trợ.
""",
        """
🔐 *Keep your VNeID account safe*
Do not lend your phone to anyone to “activate it for you”, and never tell anyone your
activation code or OTP. The police do not call asking you to reinstall VNeID. Forgot your
password? {Police} will help.
""",
    ),
    # Burglary at Tết ------------------------------------------------------------------
    _m(
        "burglary.1",
        """
🔒 *Về quê ăn Tết, đừng để nhà “mở cửa” cho trộm*
• Khóa cửa, cửa sổ; cất tiền, vàng, giấy tờ vào nơi an toàn hoặc gửi người thân.
• Nhờ hàng xóm trông giúp, báo tổ an ninh khi đi vắng dài ngày.
• Không đăng lên mạng xã hội là cả nhà đi vắng.
Thấy người lạ lảng vảng quanh nhà vắng chủ: báo ngay {police} hoặc gọi *113*.
""",
        """
🔒 *Going home for Tết? Don't leave your house open to thieves*
• Lock doors and windows; keep cash, gold and papers somewhere safe or with relatives.
• Ask a neighbour to keep an eye on it and tell the security team when you are away long.
• Do not post online that the whole family is away.
If strangers hang around an empty house, tell {police} or call *113*.
""",
    ),
    _m(
        "burglary.2",
        """
🏍 *Dịp Tết, trộm xe máy hoạt động mạnh*
Luôn khóa cổ xe, dùng thêm khóa đĩa; để xe trong nhà ban đêm; không để chìa khóa trên xe dù chỉ
một phút. Đi chùa, đi chợ đông người: gửi xe ở bãi có trông giữ.
""",
        """
🏍 *Motorbike thieves are busy at Tết*
Always lock the steering and add a disc lock; keep the bike indoors at night; never leave the
key in it, even for a minute. At crowded pagodas and markets, use a guarded parking lot.
""",
    ),
)
BY_KEY = {m.key: m for m in LIBRARY}


def of_topic(topic: str) -> list[LibraryMessage]:
    return [m for m in LIBRARY if m.topic == topic]
