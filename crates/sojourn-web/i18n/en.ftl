# Sojourn — UI text in English (on request; zh-CN is the default).
# Every key here has its zh-CN counterpart; a test checks both against the
# keys the templates and page code use.

## Common
app-name = Floating Population Service and Management
lang-name = English
skip-to-content = Skip to content
footer-note = Data in this system is for work within your jurisdiction only; keep residents' personal data safe.
print = Print
nav-label = Main navigation
nav-home = Home
nav-residents = Residents
nav-register = Register arrival
nav-houses = Rental houses
nav-employers = Employers
nav-outflows = Outflow
nav-import = Import
search-label = Find a person
search-placeholder = ID number, name, pinyin initials or phone
search-button = Find

## Error page
error-title = This page cannot be shown
error-not-found = No such record, or it is not in your jurisdiction.
error-internal = Server error; please try again later, and call the system administrator if it persists.
error-back-home = Back to the home page
error-not-a-number = Please enter a number
error-domicile-required = Choose the place of household registration, at least the province
error-destination-town = Choose the destination down to the town (street) level

## Forms
form-choose = Choose…
form-not-given = Not given
form-none-chosen = None
form-cancel = Cancel
form-error-summary = { $n ->
    [one] One field needs correcting before you submit.
   *[other] { $n } fields need correcting before you submit.
}

## Lists
list-total = { $n ->
    [one] { $n } record
   *[other] { $n } records
}
list-empty = No records match
pager-label = Pages
pager-prev = Previous
pager-next = Next
filter-label = Filters
filter-more = More filters
filter-apply = Filter
filter-clear = Clear filters
filter-remove = Remove filter
filter-any = Any
filter-all-units = All units
filter-origin-province = Province of origin
filter-destination-province = Destination province
filter-arrived-from = Arrived from
filter-arrived-to = Arrived until
filter-departed-from = Left since
filter-house-chip = Rental house: { $name }
filter-employer-chip = Employer: { $name }
col-name = Name
col-age = Age
col-unit = Unit
col-status = Status
col-origin = Province of origin
chart-show-data = Show the figures

## Residence status
status-current = Living here (registered or active)
status-registered = Registered
status-active = Active
status-departed = Deregistered
status-any = All

## Home
home-title = Overview
home-up = Up to the parent unit
home-figures = Key figures
home-active = Floating residents
home-arrivals-month = Arrivals this month
home-departures-month = Departures this month
home-houses = Rental houses
home-employers = Employers
home-outflow = Outflow
home-chart-flows = Arrivals and departures, last 24 months
home-chart-origins = Residents by province of household registration
home-series-arrivals = Arrivals
home-series-departures = Departures
home-departures-unknown = Too many departures to count by month for now.
home-month = Month
home-province = Province
home-origin-other = Other provinces
home-children = Units below
home-no-children = No units below this one
home-todo = To do
home-todo-empty = Nothing to do right now.
todo-review = Awaiting review
todo-corrections = Returned for correction
todo-overdue = Entered late or overdue
todo-spot-checks = Awaiting spot check
todo-findings = Data problems to resolve
todo-duplicates = Probable duplicate files to decide
home-quick-register = Register a new arrival
home-quick-unconfirmed = Registrations to confirm
home-quick-unfiled = Rental houses not filed

## Resident list
residents-title = Floating residents

## Registration form
register-title = Register an arrival
register-intro = Fields marked * are required. The ID number is checked as you type, and fills in birth date and sex.
register-identity = Identity
register-stay = Stay
register-other = Other details
register-collection = Collection
register-collection-hint = Collected on paper and typed in later? Give when and where it was collected; left blank, it counts as collected now at your collection point.
field-collected-at = Collected at
field-collected-at-hint = China time; not in the future, not more than 30 days ago, not before the arrival date
field-collected-place = Place of collection
field-collected-place-hint = e.g. the north gate of Duofu Lane, building 3 of an estate; at most 100 characters
register-submit = Register
field-id-number = Citizen ID number
field-id-number-hint = 18 characters, the last may be X; old 15-digit numbers are upgraded.
field-birth-date = Birth date
field-sex = Sex
field-name = Name
field-ethnicity = Ethnicity
field-phone = Phone
field-domicile = Household registration (hukou)
field-domicile-address = Address at the place of registration
field-domicile-address-hint = Street and number below the village or community
field-unit = Community (grid) of residence
field-arrived-on = Arrival date
field-reason = Reason for stay
field-intended-stay = Intended stay (months)
field-intended-stay-hint = Leave blank if unknown
field-current-address = Current address
field-house = Rental house
field-house-search = Find a rental house
field-house-search-hint = Type the start of the address or the landlord's name
field-employer = Employer
field-employer-search = Find an employer
field-employer-search-hint = Type the start of the name or the credit code
link-elsewhere = ({ $unit }, outside your jurisdiction)
field-marital-status = Marital status
field-education = Education
field-political-status = Political status
field-occupation = Occupation
field-uscc = Unified social credit code
field-destination = Destination
field-destination-address = Address at the destination
field-departed-on = Departure date
field-departure-reason = Reason for leaving
field-departure-reason-hint = For example: went home, job transfer
id-derived-placeholder = Filled in from the ID number
id-typed-so-far = { $n } of 18 characters typed
id-valid = Valid number, issued in { $county }
id-valid-unknown-county = Valid number, but its first six digits are not a county code used since 1980; please check the card

## Division pickers
picker-province = Province
picker-city = City (prefecture)
picker-county = County (district)
picker-town = Town (street)
picker-village = Village (community)
picker-refresh = Update the next level
picker-chosen = Chosen:{ " " }

## Person file
person-title = File of { $name }
person-file = Person file
person-merged-into = This file was merged into another file (probable duplicates); its stays are there, and it takes no new stay.
person-merged-open = Open the file it was merged into
person-registered = Registered.
person-departed = Departure registered.
person-not-here = Not living here
person-register-departure = Register departure
person-contact-card = Print contact card
person-identity = Identity
person-current = Current stay
person-no-current = No current stay in your jurisdiction.
person-stays = Stays
person-until-now = now
person-went-to = Went to: { $place }
person-history = Changes
person-age = { $n ->
    [one] { $n } year
   *[other] { $n } years
}
person-months = { $n ->
    [one] { $n } month
   *[other] { $n } months
}
person-issuing-county = ID issued in
history-at = Time
history-record = Record
history-action = Action
history-actor = By
history-created = created
history-updated = changed
history-arrival = arrival registered
history-activated = confirmed
history-departed = departure registered
history-record-person = person file
history-record-residence = stay

## Departure
departure-title = Departure of { $name }
departure-heading = Register a departure
departure-back = Back to the file
departure-already = This stay has already ended; it cannot be deregistered twice.
departure-when = When
departure-where-hint = Choose down to the town (street) if you can; leave blank if unknown.
departure-submit = Register departure

## Rental houses
houses-title = Rental houses
houses-search-label = Address or landlord's name
house-page = Rental house
house-details = The house
house-address = Address
house-landlord = Landlord
house-landlord-person = person
house-landlord-company = company
house-rooms = Rooms let
house-usage = Use
house-filing = Filing
house-filed = Filed
house-not-filed = Not filed
house-filed-on = Filed on { $date }
house-agreement = Security agreement
house-agreement-on = Signed on { $date }
house-no-agreement = Not signed
house-add-tenant = Register a new tenant
house-tenants-list = Show in the resident list
house-tenants-now = Tenants now ({ $n })
house-tenants-before = Former tenants ({ $n })
link-since = From
link-until = Until

## Employers
employers-title = Employers
employers-search-label = Name or credit code
employer-page = Employer
employer-details = The employer
employer-name = Name
employer-representative = Legal representative
employer-declared = Migrant workers declared
employer-current = Workers registered
employer-add-worker = Register a new worker
employer-workers-list = Show in the resident list
employer-workers-now = Workers now ({ $n })
employer-workers-before = Former workers ({ $n })

## Outflow
outflows-title = Outflow
outflow-page = Outflow record
outflow-details = Where they went
outflow-left-on = Left on
outflow-employer = Employer there
outflow-contact = Contact phone
outflow-away = Away
outflow-returned = Returned
outflow-family = Family left behind
outflow-no-family = No left-behind elderly or children recorded
outflow-relation = Relation
outflow-kind = Group
outflow-elderly = Left-behind elderly
outflow-child = Left-behind children

## Contact card
card-title = Floating Population Contact Card
card-title-for = Contact card of { $name }
card-print = Print the card
card-back = Back to the file
card-print-hint = Print on A4, cut along the dashed line and fold: registration on the front, services and contacts on the back.
card-front = Front
card-back-side = Back
card-community = Community
card-registered-on = Registered on
card-motto = Register on arrival, deregister on departure
card-services = Services you can use
card-service-permit = Residence permit
card-service-family-planning = Family planning, maternal care
card-service-vaccination = Children's vaccinations
card-service-schooling = Schooling for children
card-service-employment = Jobs and labour rights
card-service-legal-aid = Legal aid
card-contacts = Contact us
card-station = Station
card-coordinator = Coordinator
card-phone = Phone
card-police = Community police
card-reminder = When you leave or move, please tell the community station so your registration can be closed or changed.
card-issuer = Floating Population Office, { $unit }

## Signing in, changing the password, signing out
account-change-password = Change password
account-sign-out = Sign out
sign-in-title = Sign in
sign-in-username = User name
sign-in-password = Password
sign-in-totp = Verification code
sign-in-totp-hint = Accounts with a second factor (every administrator): the 6 digits from your authenticator app; others leave it empty.
sign-in-submit = Sign in
sign-in-expired = Your session has ended; please sign in again.
sign-in-signed-out = You have signed out.
password-title = Change password
password-required = Your password must be changed (first sign-in, reset or expired) before you can go on.
password-current = Current password
password-new = New password
password-new-hint = At least three of: lower-case letters, capitals, digits, symbols; not containing the user name; not a common password.
password-confirm = New password again
password-mismatch = The two new passwords differ
password-submit = Save the new password
password-changed = Your password has been changed.
error-refused = This request cannot be completed.
error-no-page = There is no such page.
error-bad-input = The address or form holds a value that cannot be read (a number out of range, say); open the page again from this site.

## Administration pages: unit tree, accounts, API tokens, audit (separated duties)
nav-units = Units
nav-accounts = Accounts
nav-tokens = API tokens
nav-audit = Audit trail
role-office_director = Office director
role-station_chief = Station chief
role-clerk = Data-entry clerk
role-coordinator = Coordinator
role-collector = Collector
role-police_liaison = Police liaison
role-family_planning_officer = Family-planning officer
role-health_worker = Health worker
role-inspector = Inspector
role-system_admin = System administrator
role-security_admin = Security administrator
role-audit_admin = Audit administrator
level-county = County
level-town = Town
level-community = Community
level-grid = Grid
level-collection_point = Collection point
units-title = Units
units-col-name = Unit
units-col-code = Code
units-col-level = Level
units-col-staff = Staff
units-no-staff = No accounts
units-created = Unit “{ $name }” added.
units-new-title = New grid or collection point
units-new-hint = Add a grid below a community, or a collection point below a grid; its number is the 3 digits after the parent's code.
units-parent = Parent unit
units-number = Number (3 digits)
units-number-hint = e.g. 001
units-number-invalid = The number has 3 digits, e.g. 001
units-name = Name
units-create = Add unit
accounts-title = Accounts
accounts-new = New account
accounts-new-title = New account
accounts-new-hint = A new account has no roles until the security administrator grants some. A one-time password is generated and shown once; the user must change it at first sign-in.
accounts-username-hint = 3–32 lower-case letters, digits or “. _ -”, starting with a letter
accounts-create = Create account
accounts-col-username = User name
accounts-col-name = Name
accounts-col-roles = Roles
accounts-col-status = Status
accounts-status-active = Active
accounts-status-disabled = Disabled
accounts-status-locked = Locked
accounts-status-must-change = Must change password
accounts-status-no-roles = No roles
accounts-unit-outside = That unit is not in your jurisdiction
accounts-created-title = Account created
accounts-created-heading = Account { $name } created
accounts-created-explanation = Hand the one-time password below to its owner in person or over a safe channel. It is shown this once and cannot be seen again after you leave this page; the user must change it at first sign-in.
accounts-one-time-password = One-time password
accounts-to-account = View the account
accounts-account-title = Account { $name }
accounts-back = Back to accounts
accounts-details = Account
accounts-totp = Second factor
accounts-totp-on = Enrolled
accounts-totp-off = Not enrolled
accounts-password-changed = Password changed
accounts-last-login = Last sign-in
accounts-never = Never
accounts-created = Created
accounts-updated = Last changed
accounts-own = This is your own account: its roles, disabling and credentials are another administrator's job.
accounts-actions = Actions
accounts-disable = Disable account
accounts-enable = Enable account
accounts-unlock = Unlock
accounts-reset-password = Reset password
accounts-reset-totp = Issue a new second-factor secret
accounts-withdraw-totp = Withdraw second factor
accounts-roles-title = Roles
accounts-roles-hint = The system, security and audit administrator roles stand alone, and need an enrolled second factor first.
accounts-admin-role = administrator
accounts-save-roles = Save roles
accounts-done-disabled = Account disabled; all its sessions have ended.
accounts-done-enabled = Account enabled.
accounts-done-roles = Roles saved.
accounts-done-unlocked = Lock lifted.
accounts-done-totp-withdrawn = Second factor withdrawn.
accounts-reset-title = Password reset
accounts-reset-heading = Password of { $name } reset
accounts-totp-title = Second-factor secret issued
accounts-totp-heading = Second-factor secret of { $name }
accounts-totp-explanation = Have the owner add the secret (or link) below to their authenticator app. It is shown this once; the previous secret no longer works.
accounts-totp-secret = Secret
accounts-totp-uri = Link
tokens-title = API tokens
tokens-col-name = Purpose
tokens-col-role = Role
tokens-col-created = Issued
tokens-col-expires = Expires
tokens-col-used = Last used
tokens-live = Live
tokens-revoked = Revoked
tokens-expired = Expired
tokens-revoke = Revoke
tokens-new-title = Issue a token
tokens-new-hint = A token lets a program call the API, bound to one unit and one role no higher than yours.
tokens-unit-own = My own unit
tokens-days = Valid for (days)
tokens-create = Issue token
tokens-created-title = Token issued
tokens-created-heading = Token “{ $name }” issued
tokens-created-explanation = Configure the program with the token below. It is shown this once; only its digest is kept.
tokens-secret = Token
tokens-back = Back to tokens
audit-title = Audit trail
audit-actor = Who (user name)
audit-action = Action
audit-outcome = Outcome
audit-outcome-success = Success
audit-outcome-failure = Failure
audit-outcome-denied = Denied
audit-from = From
audit-to = To
audit-search = Search
audit-seq = No.
audit-at = Time
audit-object = Object
audit-details = Details
audit-export-hint = Export every entry matching these filters:
audit-export-csv = CSV
audit-export-jsonl = JSON Lines (with hashes)
audit-filter-invalid = A filter is wrong; see beside it.
audit-verify = Verify the chain
audit-verify-title = Audit trail verification
audit-back = Back to the audit trail
audit-chain-intact = { $n ->
    [one] The chain is intact: { $n } entry checked; nothing edited, deleted, inserted or moved.
   *[other] The chain is intact: { $n } entries checked; nothing edited, deleted, inserted or moved.
}
audit-chain-broken = { $n ->
    [one] The chain has { $n } problem:
   *[other] The chain has { $n } problems:
}
audit-anchor-hint = Keep the last entry's number and hash somewhere else: a later verification against it finds entries cut off the end:
home-no-roles = Your account has no role yet: ask the security administrator to grant one.
audit-export-unit-note = (The export covers your whole jurisdiction, not only the chosen unit.)
## Editing a file, revealing numbers, moving tenants, age bands
person-edit = Edit file
person-saved = Changes saved.
history-changed = What changed
edit-title = Edit the file of { $name }
edit-intro = The ID number cannot be changed; a wrong number is corrected by a departure and a new registration. Fields marked * are required.
edit-id-fixed = The ID number cannot be changed once registered
edit-stay = Current stay
edit-phone-keep = On file: { $phone }; leave empty to keep it
edit-phone-none = No phone on file
edit-phone-clear = Remove the number on file
edit-submit = Save changes
edit-conflict = Someone else changed this record just now; open it again and repeat your change.
reveal-open = Show numbers in full
reveal-reason = Reason
reveal-reason-hint = 5 to 200 characters, e.g. identity check for a residence permit. The reason and this view are recorded in the audit trail.
reveal-submit = Show in full
reveal-done = Numbers shown in full; this view is recorded in the audit trail.
reveal-shown = Numbers shown in full; reloading the page masks them again.
tenant-move-title = Move in a tenant
tenant-move-intro = Find a resident registered here and move them into this house. Moving from another house ends the tenancy there.
tenant-search = Find a resident
tenant-find = Find
tenant-rents-now = Rents now
tenant-action = Action
tenant-here = This house
tenant-add = Move in: { $name }
tenant-move = Move here: { $name }
tenant-moved = The tenant has moved into this house.
filter-age-band = Age band
age-band-under-16 = Under 16
age-band-16-59 = 16 to 59
age-band-60-plus = 60 and over

## Documents checked or chased on the person file (R2.6)
documents-title = Documents checked
documents-none = No document checked or chased yet.
documents-kind = Document
documents-state = Checked / chased
documents-note = Note
documents-checked-on = checked on { $date }
documents-chased-due = chased, due { $date }
documents-action = Action
documents-action-check = Check
documents-action-chase = Chase
documents-date = Date
documents-date-hint = For a check, the day checked (not after today); for a chase, the due date (not before today).
documents-submit = Record
documents-recorded = Document check recorded.

## The review workflow (collect → enter → review → spot-check)
nav-review = Review
review-tabs-label = Review workflow
review-queue-title = Review queue
review-queue-intro = Records entered (or re-submitted after correction) awaiting this station's review: approve, or give a reason and return for correction or reject.
review-corrections-title = Corrections
review-corrections-intro = Records the station returned for correction: correct the file as the reason says, then re-submit.
review-overdue-title = Not entered in time
review-overdue-intro = Records collected more than 24 hours ago and still not entered, and records entered late.
review-spot-checks-title = Spot checks
review-spot-checks-intro = Approved records not yet checked on site.
review-counts-title = Workload
review-counts-since = Since
review-counts-by-person = By person
review-counts-by-unit = By unit
review-counts-who = Person / unit
review-col-record = Record
review-col-state = Review state
review-col-collected = Collected
review-col-entered = Entered
review-col-reason = Reason
review-col-actions = Actions
review-overdue = Overdue
review-late = Entered late
review-reason = Reason
review-note = Note
review-result = Result
review-result-confirmed = Confirmed
review-result-discrepant = Discrepant
review-done = Done: { $step }.
review-version-missing = The form has no version: reload the page and try again.
review-kind-residence = Stay
review-kind-house = Rental house
review-kind-employer = Employer
review-kind-outflow = Outflow
review-state-collected = Collected
review-state-entered = Entered, awaiting review
review-state-approved = Approved
review-state-rejected = Rejected
review-state-returned = Returned for correction
review-state-spot-checked = Spot-checked
review-step-collect = Collect
review-step-enter = Enter
review-step-approve = Approve
review-step-reject = Reject
review-step-return = Return for correction
review-step-resubmit = Re-submit
review-step-spot-check = Spot check
review-file-title = Review
review-file-none = Nothing here is under review yet.
review-file-stay = Stay #{ $id }
review-file-step = Step
## Guardian (minors under 16, R2.6)
guardian-legend = Guardian
guardian-when-minor = A minor under 16 is registered with a guardian (name, ID number, relation, phone).
guardian-needed = { $n ->
    [one] This person is { $n } year old, under 16: give a guardian.
   *[other] This person is { $n } years old, under 16: give a guardian.
}
guardian-not-needed = This person is 16 or older: no guardian needed.
field-guardian-name = Guardian's name
field-guardian-id-number = Guardian's ID number
field-guardian-id-number-hint = A guardian is 18 or older.
field-guardian-relation = Relation to the minor
field-guardian-phone = Guardian's phone
edit-guardian-keep = On file: { $value }; leave empty to keep it
edit-guardian-clear = Remove the guardian
person-guardian = Guardian
person-guardian-id-number = Guardian's ID number
person-guardian-phone = Guardian's phone
## Data-quality monitor
nav-quality = Data quality
quality-title = Data-quality monitor
quality-hint = Every registration and edit checks its record at once; "Check now" checks every record of your jurisdiction again and finds probable duplicate files.
quality-none = No open problems in your jurisdiction.
quality-scan-now = Check now
quality-scanned = Check finished:
quality-scanned-records = { $n } records checked
quality-scanned-opened = { $n } new problems found
quality-scanned-resolved = { $n } problems corrected
quality-scanned-pairs = { $n } new probable duplicates
quality-report-download = Download the monitor report (.xlsx)
quality-report-title = Floating population data monitor report (as of { $date })
quality-report-sheet = Monitor report
quality-col-unit = Unit
quality-col-duplicates = Probable duplicate files
quality-col-total = Total
quality-col-all = Whole jurisdiction
quality-col-rule = Rule
quality-col-record = Record
quality-col-detail = Problem
quality-col-found = Found on
quality-col-score = Score
quality-col-files = Files
quality-col-reasons = Why
quality-col-status = Status
quality-col-decision = Decision
quality-findings-title = Problems
quality-all-rules = All rules
quality-rules-label = By rule
quality-back = Back to the monitor
quality-next-page = Next page
quality-kind-person = Person file
quality-kind-residence = Stay
quality-kind-house = Rental house
quality-kind-outflow = Outflow record
quality-duplicates-title = Probable duplicate files
quality-duplicates-hint = A merge keeps one file and moves the other's stays and document checks to it; the other file and its history are kept, marked as merged. Two files that both have a current stay cannot be merged. A dismissal needs a reason.
quality-status-label = By status
quality-status-open = Open
quality-status-merged = Merged
quality-status-dismissed = Dismissed
quality-status-all = All
quality-merge-keep = Merge, keeping “{ $name }”
quality-dismiss = Dismiss
quality-dismiss-reason = Reason for dismissing
quality-done-merged = The two files were merged.
quality-done-dismissed = The probable duplicate was dismissed.
quality-decision-merged = Merged, keeping file { $id }
quality-decision-dismissed = Dismissed: { $reason }
quality-rule-quality_id_missing = ID number missing
quality-rule-quality_id_non_standard = ID number non-standard
quality-rule-quality_id_wrong_check_character = ID number with a wrong check character
quality-rule-quality_sex_contradicts_id = Sex contradicts the ID number
quality-rule-quality_birth_date_contradicts_id = Birth date contradicts the ID number
quality-rule-quality_address_not_down_to_town = Address not down to town level
quality-rule-quality_address_unknown_division = Address division code unknown
quality-rule-quality_house_without_security_agreement = House without security agreement
quality-rule-quality_resident_without_house = Resident without house
quality-rule-quality_childbearing_woman_not_filed = Woman of childbearing age not filed within 30 days
## Importing a register from a sheet
import-title = Import
import-heading = Import from a sheet
import-intro = Choose the register to import into. Upload an Excel (.xlsx) or CSV file; the header may sit below title rows and the columns may come in any order.
import-none = Your roles may not import into any register.
import-back = Back to import
import-register-residents = Floating population registration form
import-register-houses = Rental house filing form
import-register-employers = Employers' table
import-register-outflows = Outflow registration form
import-form-title = Import: { $register }
import-template-hint = Fill in the sheet in the layout of the { $register }.
import-template = Download the blank form (.xlsx)
import-file = File (.xlsx or .csv)
import-file-hint = Rows imported before are not written again; wrong rows are refused with the reason.
import-dry-run = Only check (write nothing)
import-submit = Upload and import
import-too-large = The file is too large to import through the web; split it, or ask an administrator to import it from the command line.
import-report-title = Import report
import-report-heading = Import report
import-again = Import another file
import-register = Register
import-file-name = File
import-dry-run-done = Only checked: nothing was written.
import-count-accepted = { $n } rows accepted;
import-count-refused = { $n } refused;
import-count-already = { $n } imported before.
import-ignored = Columns ignored: { $columns }
import-download = Download the report:
import-rows-heading = Rows not imported
import-col-row = Row
import-col-status = Outcome
import-col-column = Column
import-col-reason = Reason
import-status-refused = Refused
import-status-already = Imported before
import-pages = Report pages
import-prev = Previous
import-next = Next
## Exports of the lists and ledgers
export-open = Export
export-filters-note = The export has the rows the list shows now: its filters and its search term, every page.
export-layout = Columns
export-layout-ledger = Ledger (the paper form's columns)
export-layout-list = As the list shows them
export-format = Format
export-format-xlsx = Excel (.xlsx)
export-format-csv = CSV (UTF-8)
export-numbers = ID and phone numbers
export-numbers-masked = Masked
export-numbers-full = In full (give a reason)
export-reason-hint = Needed for numbers in full: 5 to 200 characters. The reason and the export are recorded in the audit trail.
export-submit = Export
export-title = Export
export-back = Back to the list
export-progress = Writing: { $written } of { $total } rows…
export-progress-uncounted = Writing: { $n } rows so far…
export-done = { $n ->
    [one] Done: { $n } row.
   *[other] Done: { $n } rows.
}
export-failed = The export failed: { $reason }
export-download = Download
export-refresh = Refresh
export-kept = The file is kept for an hour, for you alone.
export-col-number = No.
export-col-returned-on = Returned on
export-col-counted = Counted by
export-counted-person = Person
export-counted-unit = Unit
review-filter-kind = Register
review-filter-all-kinds = All registers
review-filter-collector = Collector
review-filter-anyone = Any collector
review-filter-waiting = Waiting
review-filter-any-age = Any time
review-filter-days = Over { $n } { $n ->
    [one] day
   *[other] days
}
review-filter-late = Late entries only
review-filter-sort = Order
review-filter-per-page = Per page
review-per-page = { $n } rows
review-sort-registered = As registered
review-sort-oldest = Longest waiting first
review-sort-newest = Newest first
review-sort-unit = By community
review-batch-select-all = Select all on this page
review-batch-pick = Select
review-batch-approve = Approve the selected records
review-batch-none = Tick the records to approve first.
review-batch-too-many = At most { $n } records can be approved at once; approve them in parts.
review-batch-done = { $n } { $n ->
    [one] record
   *[other] records
} approved.
review-batch-refused = { $n } more could not be approved: someone may have taken them or changed them meanwhile. Reload to see.
session-expiring = You have not done anything for a while: you will be signed out within 5 minutes.
session-keep = Stay signed in
session-ended-kept = You have been signed out. What you typed on this page is kept in the browser: sign in again and come back here to go on.
session-sign-in-again = Sign in again
draft-restored = What you typed before and did not submit has been put back: check it, then submit.
draft-discard = Discard it
tenant-moved-on = Moved in on

## 重卡 caught while typing, and transfer requests
id-on-file-here = This ID number already has a current stay in “{ $unit }” (your jurisdiction) and cannot be registered again.
id-on-file-open = Open the file
id-on-file-elsewhere = Duplicate: this ID number has a current stay in “{ $unit }”. That community must deregister it first; you can send it a transfer request.
transfer-ask = Request a transfer
transfer-new-title = Request a transfer (ask the other community to deregister)
transfer-new-intro = This person has a current stay in “{ $unit }”. Once that community accepts, the stay there is ended and you can register the person here.
transfer-field-note = Note (optional)
transfer-field-note-hint = e.g. moved here in November, now lives at 12 Duofu Lane
transfer-send = Send the request
transfer-back = Back to the registration
transfers-title = Transfer requests
transfers-intro = When a person registered in another community moves here, your jurisdiction asks that community to deregister them; it accepts (the stay is ended) or declines with a reason.
transfers-incoming = Asked of your jurisdiction
transfers-outgoing = Sent by your jurisdiction
transfers-col-person = Person
transfers-col-from = Asked by
transfers-col-to = Asked of
transfers-col-note = Note
transfers-col-asked = Asked by, when
transfers-col-state = State
transfers-col-action = Decision
transfer-state-pending = Pending
transfer-state-accepted = Accepted (deregistered)
transfer-state-declined = Declined: { $reason }
transfer-accept = Accept and deregister
transfer-decline = Decline
transfer-decline-reason = Reason for declining
transfer-reason-required = Give the reason for declining; the asking community will read it
transfer-done-sent = The transfer request was sent; the other community sees it on its to-do list.
transfer-done-accepted = Accepted: the person's current stay in your jurisdiction was deregistered.
transfer-done-declined = The request was declined; the asking community will see your reason.
transfer-register-now = Register now
todo-transfers = Transfer requests to decide

## Merging probable duplicates side by side
quality-compare-title = Probable duplicate files compared
quality-compare-back = Back to the probable duplicates
quality-compare-open = Compare and merge
quality-compare-field = Field
quality-compare-unit = Unit holding the file
quality-compare-stays = Stays registered
quality-compare-latest = Latest stay
quality-compare-differs = differs
quality-compare-differences = { $n ->
    [0] The two files agree on every field
    [one] { $n } field differs (marked)
   *[other] { $n } fields differ (marked)
}
quality-compare-confirm = Confirm the merge
quality-compare-hint = A merge moves the other file's stays, tenancies, employments and document checks to the file kept; the other file and its history stay, no longer in use.
quality-works-at = works at { $name }
contacts-title = Contacts of { $unit }
contacts-link = Contacts
contacts-back = Back to the units
contacts-intro = The contact card printed for this unit's residents shows the coordinator, phone and police officer given here.
contacts-phone-hint = A mobile number, or a landline with its area code, e.g. 010-65123456
contacts-police-phone = Police officer's phone
contacts-save = Save the contacts
contacts-saved = Contacts saved.
