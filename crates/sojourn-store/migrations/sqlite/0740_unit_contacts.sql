-- Who a resident of a unit may call (便民服务联系卡): the unit's
-- coordinator and phone, and the police officer for it with a phone.
-- Staff contacts, printed on the card: not sealed.
ALTER TABLE units ADD COLUMN coordinator_name TEXT;
ALTER TABLE units ADD COLUMN contact_phone TEXT;
ALTER TABLE units ADD COLUMN police_name TEXT;
ALTER TABLE units ADD COLUMN police_phone TEXT;
