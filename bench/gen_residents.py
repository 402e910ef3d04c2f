#!/usr/bin/env python3
"""Writes a synthetic residents CSV in the format of `sojourn import residents`.

    bench/gen_residents.py ROWS OUT.csv [SEED]

Stdlib only and seeded, so every run of the benchmark loads the same file.
Every row is valid and every ID number distinct (each row opens a stay of a
new person): ID numbers carry real county codes and their ISO 7064 MOD 11-2
check character; sex and birth date agree with the number; codes come from
the national tables; units are the ten communities of 110101001 东华门街道
(the unit `sojourn init --unit 110101001` creates); stays are `registered`
and name no house or employer (a fresh deployment has none).
"""

import csv
import datetime
import random
import sys

COLUMNS = [
    "id_number", "name", "sex", "birth_date", "ethnicity", "domicile", "domicile_address",
    "phone", "marital_status", "education", "political_status", "occupation", "unit",
    "arrived_on", "intended_stay_months", "reason", "current_address", "house_address",
    "employer_uscc", "status", "departed_on", "destination", "destination_address",
    "departure_reason",
]

# County-level divisions that issue ID numbers: 郑州中原, 成都锦江, 合肥瑶海,
# 长沙芙蓉, 石家庄长安, 济南历下, 重庆万州, 南宁兴宁.
COUNTIES = ["410102", "510104", "340102", "430102", "130102", "370102", "500101", "450102"]
# 东华门街道's communities.
UNITS = [
    ("110101001001", "多福巷"), ("110101001002", "银闸胡同"), ("110101001005", "东厂胡同"),
    ("110101001006", "智德北巷"), ("110101001007", "南池子大街"), ("110101001009", "灯市口大街"),
    ("110101001010", "正义路"), ("110101001013", "台基厂大街"), ("110101001014", "韶九胡同"),
    ("110101001015", "王府井大街"),
]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国红梅玉志海燕小文斌晓东春丹宇浩然子涵欣怡"
    "梓萱雨桐佳俊轩博天佑鑫淑珍凤云飞鹏辉波宁琳雪婷慧颖晨阳思远嘉豪"
)
ETHNICITIES = ["01"] * 46 + ["03", "04", "05", "06", "08", "09", "11", "15"]  # mostly 汉族
MARITAL = ["10", "20", "20", "20", "40"]
EDUCATION = ["20", "30", "40", "60", "70", "70", "80"]
POLITICAL = ["13", "13", "13", "13", "03", "01"]
OCCUPATION = ["4", "4", "6", "6", "2", "3", "8", "U"]
REASONS = ["01", "01", "01", "02", "03", "04", "05", "06"]
VILLAGES = ["3组", "5组", "东村", "西村", "新村", "南街", "北街", "中心村"]

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"


def check_character(first17: str) -> str:
    """ISO 7064 MOD 11-2, as GB 11643-1999 specifies."""
    return CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


def main() -> None:
    rows = int(sys.argv[1])
    out = sys.argv[2]
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 2026
    rng = random.Random(seed)
    born_from = datetime.date(1956, 1, 1).toordinal()
    # Everyone 16 or older on the earliest arrival: a minor is registered
    # with a guardian, which this file has no columns for.
    born_span = datetime.date(2007, 10, 30).toordinal() - born_from
    # Arrivals over the three years before the benchmark's fixed "today".
    arrived_until = datetime.date(2026, 10, 31).toordinal()
    seen = set()
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(COLUMNS)
        for _ in range(rows):
            while True:
                county = rng.choice(COUNTIES)
                birth = datetime.date.fromordinal(born_from + rng.randrange(born_span))
                first17 = f"{county}{birth:%Y%m%d}{rng.randrange(1000):03d}"
                if first17 not in seen:
                    seen.add(first17)
                    break
            sex = "1" if int(first17[16]) % 2 else "2"
            unit, street = rng.choice(UNITS)
            given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
            phone = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}" if rng.random() < 0.9 else ""
            w.writerow([
                first17 + check_character(first17),
                rng.choice(SURNAMES) + given,
                sex,
                birth.isoformat(),
                rng.choice(ETHNICITIES),
                county,
                rng.choice(VILLAGES),
                phone,
                rng.choice(MARITAL),
                rng.choice(EDUCATION),
                rng.choice(POLITICAL),
                rng.choice(OCCUPATION),
                unit,
                datetime.date.fromordinal(arrived_until - rng.randrange(3 * 365)).isoformat(),
                rng.choice(("", "3", "6", "12", "12", "24", "36")),
                rng.choice(REASONS),
                f"{street}{rng.randrange(1, 300)}号",
                "", "", "registered", "", "", "", "",
            ])


if __name__ == "__main__":
    main()
