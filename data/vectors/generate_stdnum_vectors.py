#!/usr/bin/env python3
"""Generate id_numbers_generated.csv: identity numbers with python-stdnum's verdict.

Sojourn's test (crates/sojourn-domain/tests/reference_vectors.rs) reads the CSV
this writes and checks that Sojourn's verdict agrees with python-stdnum's
`cn.ric` on length, format, birth date and check character. The CSV is checked
in, so the test needs no Python; run this again only to regenerate it:

    pip install python-stdnum==2.2
    python3 data/vectors/generate_stdnum_vectors.py

The output is deterministic for a given stdnum version (fixed seed, fixed
AS_OF date).

Columns:
  input             the number as given to both (may carry decoration that both
                    normalise: surrounding spaces, lower-case x, full-width digits)
  stdnum_verdict    valid, InvalidLength, InvalidFormat, InvalidChecksum or
                    InvalidComponent
  stdnum_compact    the input as stdnum normalises it (ric.compact)
  kind              what the generator meant to make (for reading the file)
  divergence        where Sojourn differs from stdnum on purpose, else empty:
                      address_code       stdnum's InvalidComponent is about the
                                         address code, not the date; for
                                         Sojourn that is only a warning
                      future_birth_date  stdnum does not check the future;
                                         Sojourn refuses dates after as_of
                      birth_before_1900  Sojourn refuses birth years before 1900
                      legacy_15_digits   stdnum refuses 15 digits; Sojourn
                                         upgrades them to 18 (see upgraded)
  upgraded          for 15-digit rows: the 18-digit number GB 11643 makes of it
                    (19 inserted before the year, check character computed by
                    stdnum), if the 15 characters are digits
  upgraded_verdict  stdnum's verdict on `upgraded`
  as_of             the "today" by which future birth dates were judged
"""

import csv
import datetime
import os
import random
import sys

import stdnum
from stdnum.cn import ric
from stdnum.exceptions import ValidationError

SEED = 20261128
AS_OF = datetime.date(2026, 11, 28)
EARLIEST_SOJOURN_BIRTH_YEAR = 1900
OUTPUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'id_numbers_generated.csv')
CHECK_CHARS = '0123456789X'
LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWYZ'  # X left out: it is a check character
COLUMNS = ['input', 'stdnum_verdict', 'stdnum_compact', 'kind', 'divergence', 'upgraded', 'upgraded_verdict', 'as_of']

rng = random.Random(SEED)


def load_address_codes():
    """All six-digit codes in stdnum's cn/loc.dat, in file order."""
    path = os.path.join(os.path.dirname(stdnum.__file__), 'cn', 'loc.dat')
    codes, province = [], None
    with open(path, encoding='utf-8') as data:
        for line in data:
            if line.startswith('#') or not line.strip():
                continue
            prefix = line.split()[0]
            if not line.startswith(' '):
                province = prefix
            else:
                codes.append(province + prefix)
    return codes


ADDRESS_CODES = load_address_codes()


def verdict(number):
    try:
        ric.validate(number)
        return 'valid'
    except ValidationError as error:
        return type(error).__name__


def with_check(first17):
    return first17 + ric.calc_check_digit(first17 + '0')


def known_address(year):
    """An address code that stdnum accepts for a number born in `year`."""
    for _ in range(1000):
        code = rng.choice(ADDRESS_CODES)
        probe = with_check(f'{code}{year:04d}0101001')
        try:
            ric.get_birth_place(probe)
            return code
        except ValidationError:
            continue
    raise RuntimeError(f'no address code known to stdnum for {year}')


def unknown_address(year):
    """An address code stdnum refuses for `year`: never assigned, or not then."""
    while True:
        code = rng.choice([f'99{rng.randrange(10000):04d}', rng.choice(ADDRESS_CODES)])
        probe = with_check(f'{code}{year:04d}0101001')
        try:
            ric.get_birth_place(probe)
        except ValidationError:
            return code


def random_date(first, last):
    return first + datetime.timedelta(days=rng.randrange((last - first).days + 1))


def yyyymmdd(date):
    return f'{date.year:04d}{date.month:02d}{date.day:02d}'


def sequence():
    return f'{rng.randrange(1000):03d}'


def valid_number(first=datetime.date(EARLIEST_SOJOURN_BIRTH_YEAR, 1, 1), last=AS_OF):
    birth = random_date(first, last)
    return with_check(known_address(birth.year) + yyyymmdd(birth) + sequence())


def decorate(number):
    """Spellings both stdnum and Sojourn normalise: lower-case x, full-width
    digits, surrounding (ideographic) spaces."""
    choice = rng.randrange(4)
    if choice == 0:
        return number.lower()
    if choice == 1:
        return ''.join(chr(ord(c) + 0xFEE0) if c.isdigit() and rng.random() < 0.5 else c
                       for c in number)
    if choice == 2:
        return rng.choice([' ', '  ', '\u3000']) + number + rng.choice(['', ' ', '\u3000'])
    return number


def impossible_date():
    """Eight digits that look like a date but are none."""
    year = rng.randrange(1900, 2026)
    kinds = [
        lambda: f'{year:04d}0230',
        lambda: f'{year:04d}0231',
        lambda: f'{rng.choice([1900, 1901, 1999, 2001, 2023]):04d}0229',  # not leap years
        lambda: f'{year:04d}{rng.choice([4, 6, 9, 11]):02d}31',
        lambda: f'{year:04d}{rng.randrange(13, 100):02d}{rng.randrange(1, 29):02d}',
        lambda: f'{year:04d}00{rng.randrange(1, 29):02d}',
        lambda: f'{year:04d}{rng.randrange(1, 13):02d}00',
        lambda: f'{year:04d}{rng.randrange(1, 13):02d}{rng.randrange(32, 100):02d}',
        lambda: f'0000{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}',
    ]
    return rng.choice(kinds)()


def make_valid():
    number = valid_number()
    return decorate(number) if rng.random() < 0.25 else number


def make_wrong_check():
    number = valid_number()
    wrong = rng.choice([c for c in CHECK_CHARS if c != number[-1]])
    return number[:-1] + wrong


def make_bad_date():
    first17 = known_address(1990) + impossible_date() + sequence()
    number = with_check(first17)
    if rng.random() < 0.2:  # both faults: the check character is judged first
        number = first17 + rng.choice([c for c in CHECK_CHARS if c != number[-1]])
    return number


def make_future_date():
    return valid_number(AS_OF + datetime.timedelta(days=1), datetime.date(2099, 12, 31))


def make_early_date():
    birth = random_date(datetime.date(1, 1, 1), datetime.date(1899, 12, 31))
    if rng.random() < 0.5:
        birth = random_date(datetime.date(1850, 1, 1), datetime.date(1899, 12, 31))
    return with_check(known_address(birth.year) + yyyymmdd(birth) + sequence())


def make_wrong_length():
    length = rng.choice([n for n in range(0, 26) if n not in (15, 18)])
    number = valid_number()
    if length <= 18:
        return number[:length]
    return number + ''.join(rng.choice('0123456789') for _ in range(length - 18))


def make_letters():
    number = valid_number()
    position = rng.randrange(18)
    letter = rng.choice(LETTERS)
    return number[:position] + letter + number[position + 1:]


def make_legacy():
    year = rng.randrange(1900, 2000)
    if rng.random() < 0.8:
        date = yyyymmdd(random_date(datetime.date(year, 1, 1), datetime.date(year, 12, 31)))
    else:
        date = f'{year:04d}' + rng.choice(['0230', '1301', '0431', '0100'])
    number = known_address(year) + date[2:] + sequence()
    if rng.random() < 0.1:
        position = rng.randrange(15)
        number = number[:position] + rng.choice(LETTERS) + number[position + 1:]
    return number


def make_unknown_address():
    birth = random_date(datetime.date(1950, 1, 1), AS_OF)
    return with_check(unknown_address(birth.year) + yyyymmdd(birth) + sequence())


RECIPES = [
    ('valid', make_valid, 1000),
    ('wrong_check', make_wrong_check, 400),
    ('bad_date', make_bad_date, 350),
    ('future_date', make_future_date, 200),
    ('early_date', make_early_date, 60),
    ('wrong_length', make_wrong_length, 300),
    ('letters', make_letters, 340),
    ('legacy_15', make_legacy, 200),
    ('unknown_address', make_unknown_address, 150),
]


def upgrade(compact):
    """GB 11643-1999's upgrade of a 15-digit number."""
    if len(compact) != 15 or not compact.isdigit():
        return ''
    return with_check(compact[:6] + '19' + compact[6:])


def date_is_real(number):
    try:
        ric.get_birth_date(number)
        return True
    except (ValidationError, ValueError):
        return False


def divergence(number, stdnum_verdict):
    """Where Sojourn disagrees with stdnum on purpose (see the docstring)."""
    if len(number) == 15:
        return 'legacy_15_digits'
    if stdnum_verdict == 'InvalidComponent' and date_is_real(number):
        return 'address_code'
    if stdnum_verdict == 'valid':
        birth = ric.get_birth_date(number)
        if birth > AS_OF:
            return 'future_birth_date'
        if birth.year < EARLIEST_SOJOURN_BIRTH_YEAR:
            return 'birth_before_1900'
    return ''


def row(kind, number):
    stdnum_verdict = verdict(number)
    compact = ric.compact(number)
    upgraded = upgrade(compact)
    upgraded_verdict = verdict(upgraded) if upgraded else ''
    # Legacy rows use codes stdnum knows, so an upgraded InvalidComponent is
    # about the date; the test relies on that.
    assert not (upgraded_verdict == 'InvalidComponent' and date_is_real(upgraded)), number
    return {
        'input': number,
        'stdnum_verdict': stdnum_verdict,
        'stdnum_compact': compact,
        'kind': kind,
        'divergence': divergence(compact, stdnum_verdict),
        'upgraded': upgraded,
        'upgraded_verdict': upgraded_verdict,
        'as_of': AS_OF.isoformat(),
    }


def main():
    if stdnum.__version__ != '2.2':
        print(f'note: python-stdnum {stdnum.__version__}, the checked-in file used 2.2',
              file=sys.stderr)
    rows = [row(kind, make()) for kind, make, count in RECIPES for _ in range(count)]
    with open(OUTPUT, 'w', newline='', encoding='utf-8') as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator='\n')
        writer.writeheader()
        writer.writerows(rows)
    tally = {}
    for r in rows:
        key = (r['stdnum_verdict'], r['divergence'])
        tally[key] = tally.get(key, 0) + 1
    for (stdnum_verdict, why), count in sorted(tally.items()):
        print(f'{count:5d}  {stdnum_verdict:17s} {why}')
    print(f'{len(rows)} rows written to {OUTPUT}')


if __name__ == '__main__':
    main()
