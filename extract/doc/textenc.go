package doc

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode/utf32"

	xunicode "golang.org/x/text/encoding/unicode"
)

// detectSample is how much of a text [DetectEncoding] looks at.
const detectSample = 64 << 10

// Encoding is a detected text encoding.
type Encoding struct {
	// Name is the WHATWG label ("utf-8", "utf-16le", "windows-1251",
	// "gb18030", "shift_jis", "euc-kr", "big5", "windows-874",
	// "windows-1258", "ibm866", "macintosh", "utf-32le").
	Name string
	// BOM is the length of the byte order mark the text starts with.
	BOM int
	enc encoding.Encoding // nil for UTF-8
}

// Decoder returns a decoder from the encoding to UTF-8; nil for UTF-8.
func (e Encoding) Decoder() *encoding.Decoder {
	if e.enc == nil {
		return nil
	}
	return e.enc.NewDecoder()
}

// script groups the candidates by what their text should look like.
type script uint8

const (
	scLatin script = iota
	scCyrillic
	scGreek
	scThai
	scVietnamese
	scChinese
	scJapanese
	scKorean
)

type candidate struct {
	name string
	enc  encoding.Encoding
	sc   script
	home string // non-ASCII letters typical of the languages written in it
}

// candidates are the legacy encodings DetectEncoding chooses among, in
// order of preference on a tie.
var candidates = []candidate{
	{"windows-1252", charmap.Windows1252, scLatin, "àáâãäåæçèéêëíîïñóôöøùúûüýÿßœÀÁÂÄÇÉÈÊÍÓÔÖÜÑ"},
	{"windows-1250", charmap.Windows1250, scLatin, "ąęłśćńóżźčřěšžůýáíéőűťďňľĺŕăâîșțşĄĘŁŚŻŹČŘŠŽ"},
	{"windows-1251", charmap.Windows1251, scCyrillic, ""},
	{"ibm866", charmap.CodePage866, scCyrillic, ""},
	{"windows-1253", charmap.Windows1253, scGreek, ""},
	{"windows-874", charmap.Windows874, scThai, ""},
	{"windows-1258", charmap.Windows1258, scVietnamese, ""},
	{"gb18030", simplifiedchinese.GB18030, scChinese, ""},
	{"big5", traditionalchinese.Big5, scChinese, ""},
	{"shift_jis", japanese.ShiftJIS, scJapanese, ""},
	{"euc-kr", korean.EUCKR, scKorean, ""},
	{"macintosh", charmap.Macintosh, scLatin, "àáâãäåæçèéêëíîïñóôöøùúûüýÿßœÀÁÂÄÇÉÈÊÍÓÔÖÜÑ"},
}

// DetectEncoding guesses the encoding of text from its first bytes (at
// most 64 KiB are looked at). See the package documentation for the
// method and its limits. It never fails: text it cannot place is reported
// as windows-1252, which decodes every byte.
func DetectEncoding(b []byte) Encoding {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		return Encoding{Name: "utf-8", BOM: 3}
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE, 0, 0}):
		return Encoding{Name: "utf-32le", BOM: 4, enc: utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM)}
	case bytes.HasPrefix(b, []byte{0, 0, 0xFE, 0xFF}):
		return Encoding{Name: "utf-32be", BOM: 4, enc: utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM)}
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return Encoding{Name: "utf-16le", BOM: 2, enc: xunicode.UTF16(xunicode.LittleEndian, xunicode.IgnoreBOM)}
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return Encoding{Name: "utf-16be", BOM: 2, enc: xunicode.UTF16(xunicode.BigEndian, xunicode.IgnoreBOM)}
	}
	if len(b) > detectSample {
		b = b[:detectSample]
	}
	if e, ok := utf16NoBOM(b); ok {
		return e
	}
	if validUTF8Prefix(b) {
		return Encoding{Name: "utf-8"}
	}
	best, bestScore := 0, -1e9
	for i, c := range candidates {
		s := scoreCandidate(c, b)
		if s > bestScore {
			best, bestScore = i, s
		}
	}
	c := candidates[best]
	return Encoding{Name: c.name, enc: c.enc}
}

// validUTF8Prefix reports whether b is UTF-8, allowing a rune cut at the
// end of the sample.
func validUTF8Prefix(b []byte) bool {
	if utf8.Valid(b) {
		return true
	}
	for cut := 1; cut < utf8.UTFMax && cut < len(b); cut++ {
		if utf8.Valid(b[:len(b)-cut]) && !utf8.FullRune(b[len(b)-cut:]) {
			return true
		}
	}
	return false
}

// utf16NoBOM recognises UTF-16 text without a byte order mark by its NULs:
// text in Latin script has a NUL in most high bytes and none in the low
// ones.
func utf16NoBOM(b []byte) (Encoding, bool) {
	n := min(len(b), 8192) &^ 1
	if n < 4 {
		return Encoding{}, false
	}
	var even, odd int
	for i := 0; i < n; i += 2 {
		if b[i] == 0 {
			even++
		}
		if b[i+1] == 0 {
			odd++
		}
	}
	half := n / 2
	switch {
	case odd*10 > half*4 && even*20 < half:
		return Encoding{Name: "utf-16le", enc: xunicode.UTF16(xunicode.LittleEndian, xunicode.IgnoreBOM)}, true
	case even*10 > half*4 && odd*20 < half:
		return Encoding{Name: "utf-16be", enc: xunicode.UTF16(xunicode.BigEndian, xunicode.IgnoreBOM)}, true
	}
	return Encoding{}, false
}

// neutral are non-ASCII characters common in text of any script.
const neutral = "\u00a0«»–—‘’‚“”„…•€£§°©®™·¿¡‹›×"

// scoreCandidate scores the decoding of b with c: higher means more like
// text. The score is per non-ASCII character.
func scoreCandidate(c candidate, b []byte) float64 {
	out, err := c.enc.NewDecoder().Bytes(trimPartial(c, b))
	if err != nil {
		return -1e9
	}
	s := string(out)
	var score, units float64
	switch c.sc {
	case scChinese, scJapanese, scKorean:
		for _, r := range s {
			if r < 0x80 {
				continue
			}
			units++
			score += cjkScore(c.sc, r)
		}
	default:
		score, units = wordScore(c, s)
	}
	if units == 0 {
		return 0
	}
	return score / units
}

// trimPartial drops a multi-byte sequence cut at the end of the sample.
func trimPartial(c candidate, b []byte) []byte {
	if c.sc < scChinese || len(b) == 0 {
		return b
	}
	// Cut after the last ASCII byte when the tail is short, else drop up
	// to three trailing bytes of a possibly cut sequence.
	for i := len(b) - 1; i >= 0 && i >= len(b)-4; i-- {
		if b[i] < 0x80 {
			return b[:i+1]
		}
	}
	return b[:len(b)-1]
}

// cjkScore scores one decoded character for a CJK candidate.
func cjkScore(sc script, r rune) float64 {
	switch {
	case r == utf8.RuneError:
		return -4
	case strings.ContainsRune(neutral, r) || r >= 0x3000 && r <= 0x303F || r >= 0xFF01 && r <= 0xFF5E:
		return 0.1 // CJK punctuation and full-width forms
	}
	switch sc {
	case scChinese:
		switch {
		case frequentHan[r]:
			return 1
		case r >= 0x4E00 && r <= 0x9FFF:
			return 0.2
		}
	case scJapanese:
		switch {
		case r >= 0x3040 && r <= 0x309F:
			return 1
		case r >= 0x30A0 && r <= 0x30FF:
			return 0.6
		case frequentHan[r]:
			return 0.6
		case r >= 0x4E00 && r <= 0x9FFF:
			return 0.2
		case r >= 0xFF61 && r <= 0xFF9F:
			return -0.5
		}
	case scKorean:
		switch {
		case frequentHangul[r]:
			return 1
		case r >= 0xAC00 && r <= 0xD7A3:
			return 0.3
		case r >= 0x4E00 && r <= 0x9FFF:
			return 0.05
		}
	}
	return -1
}

// wordScore scores single-byte text by its words: letters of one script,
// no upper case after lower case, Latin words mostly ASCII, Vietnamese
// combining tones on vowels.
func wordScore(c candidate, s string) (score, units float64) {
	var word []rune
	flush := func() {
		if len(word) == 0 {
			return
		}
		nonASCII := 0
		for _, r := range word {
			if r >= 0x80 {
				nonASCII++
			}
		}
		if nonASCII > 0 {
			units += float64(nonASCII)
			ok, bonus := judgeWord(c, word, nonASCII)
			if ok {
				score += float64(nonASCII) + bonus
			} else {
				score -= 2 * float64(nonASCII)
			}
		}
		word = word[:0]
	}
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) {
			word = append(word, r)
			continue
		}
		flush()
		if r < 0x80 {
			continue
		}
		units++
		switch {
		case r == utf8.RuneError:
			score -= 4
		case strings.ContainsRune(neutral, r):
		default:
			score -= 2
		}
	}
	flush()
	return score, units
}

func judgeWord(c candidate, w []rune, nonASCII int) (ok bool, bonus float64) {
	var lower bool
	for i, r := range w {
		if !inScript(c.sc, r) {
			return false, 0
		}
		if unicode.IsUpper(r) && lower && i > 0 {
			return false, 0
		}
		if unicode.IsLower(r) {
			lower = true
		}
		if unicode.Is(unicode.Mn, r) && c.sc != scThai {
			if i == 0 || !isVowel(w[i-1]) {
				return false, 0
			}
			bonus += 1.5
		}
		if r == 'ς' && i+1 < len(w) {
			return false, 0
		}
		if c.home != "" && strings.ContainsRune(c.home, r) {
			bonus += 0.5
		}
	}
	if (c.sc == scLatin) && len(w) >= 3 && nonASCII*2 > len(w) {
		return false, 0
	}
	if c.sc == scVietnamese && len(w) >= 4 && nonASCII*4 > len(w)*3 {
		return false, 0
	}
	return true, bonus
}

func isVowel(r rune) bool {
	return strings.ContainsRune("aeiouyâêôăơưAEIOUYÂÊÔĂƠƯ", r)
}

func inScript(sc script, r rune) bool {
	if r < 0x80 {
		return sc == scLatin || sc == scVietnamese
	}
	switch sc {
	case scLatin:
		return unicode.Is(unicode.Latin, r)
	case scVietnamese:
		return unicode.Is(unicode.Latin, r) || unicode.Is(unicode.Mn, r)
	case scCyrillic:
		return unicode.Is(unicode.Cyrillic, r)
	case scGreek:
		return unicode.Is(unicode.Greek, r)
	case scThai:
		return unicode.Is(unicode.Thai, r)
	}
	return false
}

// frequentHan holds frequent Chinese characters, simplified and
// traditional forms.
var frequentHan = runeSet("的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下自之年过发后作里用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部其些主样理心她本前开但因只从想实日军者意无力它与长把机十民第公此已工使情明性知全三又关点正业外将两高间由问很最重并物手应战向头文体政美相见被利什二等产或新己制身果加西斯月话合回特代内信表化老给世位次度门任常先海通教儿原东声提立及比员解水名真论处走义各入几口认条平系气题活尔更别打女变四神总何电数安少报才结反受目太量再感建务做接必场件计管期市直德资命山金指克许统区保至队形社便空决治展马科司五基眼书非则听白却界达光放强即像难且权思王象完设式色路记南品住告类求据程北边死张该交规万取拉格望觉术领共确传师观清今切院让识候带导争运笑飞风步改收根干造言联持组每济车亲极林服快办议往元英士证近失转夫令准布始怎呢存未远叫台单影具罗字爱击流备兵连调深商算质团集百需价花党华城石级整府离况亚请技际约示复病息究线似官火断精满支视消越器容照须九增研写称企八功吗包片史委乎查轻易早曾除农找装广显吧阿李标谈吃图念六引历首医局突专费号尽另周较注语仅考落青随选列武红响虽推势参希古众构房半节土投某案黑维革划敌致陈律足态护七兴派孩验责营星够章音跟志底站严巴例防族供效续施留讲型料终答紧黄绝奇察母京段依批群项故按河米围江织害斗双境客纪采举杀攻父苏密低朝友诉止细愿千值仍男钱破网热助倒育属坐帝限船脸职速刻乐否刚威毛状率甚独球般普怕弹校苦创假久错承印晚兰试股拿脑预谁益阳若哪微尼继送急血惊伤素药适波夜省初喜卫源食险待述陆习置居劳财环排福纳欢雷警获模充负云停木游龙树疑层冷洲冲射略范竟句室异激汉村哈策演简卡罪判担州静退既衣您宗积余痛检差富灵协角占配征修皮挥胜降阶审沉坚善妈刘读啊超免压银买皇养伊怀执副乱抗犯追帮宣佛岁航优怪香著田铁控税左右份穿艺背阵草脚概恶块顿敢守酒岛托央户烈洋哥索胡款靠评版宝座释景顾弟登货互付伯慢欧换闻危忙核暗姐介坏讨丽良序升监临亮露永呼味野架域沙掉括舰鱼杂误湾吉减编楚肯测败屋跑梦散温困剑渐封救贵枪缺楼县尚毫移娘朋画班智亦耳恩短掌恐遗固席松秘谢鲁遇康虑幸均销钟诗藏赶剧票损忽巨炮旧端探湖录叶春乡附吸予礼港雨呀板庭妇归睛饭额含顺输摇招婚脱补谓督毒油疗旅泽材灭逐莫笔亡鲜词圣择寻厂睡博勒烟授诺伦岸奥唐卖俄炸载洛健堂旁宫喝借君禁阴园谋宋避抓荣姑孙逃牙束跳顶玉镇雪午练迫爷篇肉嘴馆遍凡础洞卷坦牛宁纸诸训私庄祖丝翻暴森塔默握戏隐熟骨访弱蒙歌店鬼软典欲萨伙遭盘爸扩盖弄雄稳忘亿刺拥徒姆杨齐赛趣曲刀床迎冰虚玩析窗醒妻透购替塞努休虎扬途侵刑绿兄迅套贸毕唯谷轮库迹尤竞街促延震弃甲伟麻川申缓潜闪售灯针哲络抵朱埃抱鼓植纯夏忍页杰筑折郑贝尊吴秀混臣雅振染盛怒舞圆搞狂措姓残秋培迷诚宽宇猛摆梅毁伸摩盟末乃悲拍丁赵硬麦蒋操耶阻订彩抽赞魔纷沿喊违妹浪汇币丰蓝殊献桌啦瓦莱援译夺汽烧距裁偏符勇触课敬哭懂墙袭召罚侠厅拜巧侧韩冒债曼融惯享戴童犹乘挂奖绍厚纵障讯涉彻刊丈爆乌役描洗玛患妙镜唱烦签仙彼弗症仿倾牌陷鸟轰咱菜闭奋庆撤泪茶疾缘播朗杜奶季丹狗尾仪偷奔珠虫驻孔宜艾桥淡翼恨繁寒伴叹旦愈潮粮缩罢聚径恰挑袋灰捕徐珍幕映裂泰隔启尖忠累炎暂估泛荒偿横拒瑞忆孤鼻闹羊呆厉衡胞零穷舍码赫婆魂灾洪腿胆津俗辩胸晓劲贫仁偶辑邦恢赖圈摸仰润堆碰艇稍迟辆废净凶署壁御奉旋冬矿抬蛋晨伏吹鸡倍糊秦盾杯租骑乏隆诊奴摄丧污渡旗甘耐凭扎抢绪粗肩梁幻菲皆碎宙叔岩荡综爬荷悉蒂返井壮薄悄扫敏碍殖详迪矛霍允幅撒剩凯颗骂赏液番箱贴漫酸郎腰舒眉忧浮辛恋餐吓挺励辞艘键伍峰尺昨黎辈贯侦滑券崇扰宪绕趋慈乔阅汗枝拖墨胁插箭腊粉泥氏彭拔骗凤慧媒佩愤扑龄驱惜豪掩兼跃尸肃帕驶堡届欣惠册储飘桑闲惨洁踪勃宾频仇磨递邪撞拟滚奏巡颜剂绩贡疯坡瞧截燃焦殿伪柳锁逼颇昏劝呈搜勤戒驾漂饮曹朵仔柔俩孟腐幼践籍牧凉牲佳娜浓芳稿竹腹跌逻垂遵脉貌柏狱猜怜惑陶兽帐饰贷昌叙躺钢沟寄扶铺邓寿惧询汤盗肥尝匆辉奈扣廷澳嘛董迁凝慰厌脏腾幽怨鞋丢埋泉涌辖躲晋紫艰魏吾慌祝邮吐狠鉴曰械咬邻赤挤弯椅陪割揭韦悟聪雾锋梯猫祥阔誉筹丛牵鸣沈阁穆屈旨袖猎臂蛇贺柱抛鼠瑟戈牢逊迈欺吨琴衰瓶恼燕仲诱狼池疼卢仗冠粒遥吕玄尘冯抚浅敦纠钻晶岂峡苍喷耗凌敲菌赔涂粹扁亏寂煤熊恭湿循暖糖赋抑秩帽哀宿踏烂袁侯抖夹昆肝擦猪炼恒慎搬纽纹玻渔磁铜齿跨押怖漠疲叛遣兹祭醉拳弥斜档稀捷肤疫肿豆削岗晃吞宏癌肚隶履涨耀扭坛拨沃绘伐堪仆郭牺歼墓雇廉契拼惩捉覆刷劫嫌瓜歇雕闷乳串娃缴唤赢莲霸桃妥瘦搭赴岳嘉舱俊址庞耕锐缝悔邀玲惟斥宅添挖呵讼氧浩羽斤酷掠妖祸侍乙妨贪挣汪尿莉悬唇翰仓轨枚盐览傅帅庙芬屏寺胖璃愚滴疏萧姿颤丑劣柯寸扔盯辱匹俱辨饿蜂哦腔郁溃谨糟葛苗肠忌溜鸿爵鹏鹰笼丘桂滋聊挡纲肌茨壳痕碗穴膀卓贤卧膜毅锦欠哩函茫昂薛皱夸豫胃舌剥傲拾窝睁携陵哼棉晴铃填饲渴吻扮逆脆喘罩卜炉柴愉绳胎蓄眠竭喂傻慕浑奸扇柜悦拦诞饱乾泡贼亭夕爹酬儒姻卵氛泄杆挨僧蜜吟猩遂狭肖甜霞驳裕顽於摘矮秒卿畜咽披辅勾盆疆赌塑畏吵囊嗯泊肺骤缠冈羞瞪吊贾漏斑涛悠鹿俘锡卑葬铭滩嫁催璇翅盒蛮矣潘歧赐鲍锅廊拆灌勉盲宰佐啥胀扯禧辽抹筒棋裤唉朴咐孕誓喉妄拘链驰栏逝窃艳臭纤玑棵趁匠盈翁愁瞬婴孝颈倘浙谅蔽畅赠妮莎尉冻跪闯葡後厨鸭颠遮谊圳吁仑辟瘤嫂陀框谭亨钦庸歉芝吼甫衫摊宴嘱衷娇陕矩浦讶耸裸碧摧薪淋耻胶屠鹅饥盼脖虹翠崩账萍逢赚撑翔倡绵猴枯巫昭怔渊凑溪蠢禅阐旺寓藤匪伞碑挪琼脂谎慨菩萄狮掘抄岭晕逮砍掏狄晰罕挽脾舟痴蔡剪脊弓懒叉拐喃僚捐姊骚拓歪粘柄坑陌窄湘兆崖骄刹鞭芒筋聘钩棍嚷腺弦焰耍俯厘愣厦恳饶钉寡憾摔叠惹喻谱愧煌徽溶坠煞巾滥洒堵瓷咒姨棒郡浴媚稣淮哎屁漆淫巢吩撰啸滞玫硕钓蝶膝姚茂躯吏猿寨恕渠戚辰舶颁惶狐讽笨袍嘲啡泼衔倦涵雀旬僵撕肢垄夷逸茅侨舆窑涅蒲谦杭噢弊勋刮郊凄捧浸砖鼎篮蒸饼亩肾陡爪兔殷贞荐哑炭坟眨搏咳拢舅昧擅爽咖搁禄雌哨巩绢螺裹昔轩谬谍龟媳姜瞎冤鸦蓬巷琳栽沾诈斋瞒彪厄咨纺罐桶壤糕颂膨谐垒咕隙辣绑宠嘿兑霉挫稽辐乞纱裙嘻哇绣杖塘衍轴攀膊譬斌祈踢肆坎轿棚泣屡躁邱凰溢椎砸趟帘帆栖窜丸斩堤塌贩厢掀喀乖谜捏阎滨虏匙芦苹卸沼钥株祷剖熙哗劈怯棠胳桩瑰娱娶沫嗓蹲焚淘嫩韵衬匈钧竖峻豹捞菊鄙魄兜哄颖镑屑蚁壶怡渗秃迦旱哟咸焉谴宛稻铸锻伽詹毙恍贬烛骇芯汁桓坊驴朽靖佣汝碌迄冀荆崔雁绅珊榜诵傍彦醇笛禽勿娟瞄幢寇睹贿踩霆呜拱妃蔑谕缚诡篷淹腕煮倩卒勘馨逗甸贱炒灿敞蜡囚栗辜垫妒魁谣寞蜀甩涯枕丐泳奎泌逾叮黛燥掷藉枢憎鲸弘倚侮藩拂鹤蚀浆芙垃烤晒霜剿蕴圾绸屿氢驼妆捆铅逛淑榴丙痒钞蹄犬躬昼藻蛛褐颊奠募耽蹈陋侣魅岚侄虐堕陛莹荫狡阀绞膏垮茎缅喇绒搅凳梭丫姬诏钮棺耿缔懈嫉灶匀嗣鸽澡凿纬沸畴刃遏烁嗅叭熬瞥骸奢拙栋毯桐砂莽泻坪梳杉晤稚蔬蝇捣顷麽尴镖诧尬硫嚼羡沦沪旷彬芽狸冥碳咧惕暑咯萝汹腥窥俺潭崎麟捡拯厥澄萎哉涡滔暇溯鳞酿茵愕瞅暮衙诫斧兮焕棕佑嘶妓喧蓉删樱伺嗡娥梢坝蚕敷澜杏绥冶庇挠搂倏聂婉噪稼鳍菱盏匿吱寝揽髓秉哺矢啪帜邵嗽挟缸揉腻驯缆晌瘫贮觅朦僻隋蔓咋嵌虔畔琐碟涩胧嘟蹦冢浏裔襟叨诀旭虾簿啤擒枣嘎苑牟呕骆凸熄兀喔裳凹赎屯膛浇灼裘砰棘橡碱聋姥瑜毋娅沮萌俏黯撇粟粪尹苟癫蚂禹廖俭帖煎缕窦簇棱叩呐瑶墅莺烫蛙歹伶葱哮眩坤廓讳啼乍瓣矫跋枉梗厕琢讥釉窟敛轼庐胚呻绰扼懿炯竿慷虞锤栓桨蚊磅孽惭戳禀鄂馈垣溅咚钙礁彰豁眯磷雯墟迂瞻颅琉悼蝴拣渺眷悯汰慑婶斐嘘镶炕宦趴绷窘襄珀嚣拚酌浊毓撼嗜扛峭磕翘槽淌栅颓熏瑛颐忖" +
	"這個們來時會說對國為過還後麼學發與經點現實當體開動長問關頭見機種應將從於電樣義無進產業裡兩氣總變東聽書邊給讓並論認資萬處調師錢記聲讀區報單歷際間實驗環權傳統愛聯準備議員術運樂當達類頭題難隊離",
)

// frequentHangul holds frequent Korean syllables.
var frequentHangul = runeSet("이다의는에하고을가지한서로기리사자대어도정나수적인들있시해으라전부것제일게보그만요주상원면장까구아우성소경화계여회년방중무생비신문내동공간위선분관모오조마음때말후발연작통점실체러세국민물미용업유득히터결별식당감없했되었니습께록며던데과와를은께서들을까지만큼처럼에게한테")

func runeSet(s string) map[rune]bool {
	m := make(map[rune]bool, len(s)/3)
	for _, r := range s {
		m[r] = true
	}
	return m
}
