-- The language each account reads the pages in (a BCP 47 tag such as
-- zh-CN or en), remembered across sign-ins. NULL: never chosen, so the
-- default (zh-CN) applies.

ALTER TABLE accounts ADD COLUMN locale TEXT CHECK (length(locale) BETWEEN 2 AND 16);
