//! When and where a collector collected a record they register (R3.1): two
//! optional fields of the registration requests (arrival, house, employer,
//! outflow). A collector who filled in the paper form on a doorstep and
//! types it in later gives them, so that the review judges the 24-hour
//! entry rule from the real collection time.

use super::fields::{Fields, non_blank};
use crate::error::ApiError;
use serde::Deserialize;
use sojourn_domain::account::Role;
use sojourn_domain::collection::{Collection, CollectionError, CollectionPlace, CollectionTime};
use sojourn_store::Actor;
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;

/// The collection of a record a collector registers; both optional.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CollectionRequest {
    /// When it was collected: China time `YYYY-MM-DDTHH:MM` (seconds
    /// optional) or RFC 3339 with an offset. Not in the future, at most 30
    /// days ago, and not before the stay's arrival or the outflow's
    /// departure. Absent: when the record is saved.
    #[schema(example = "2024-03-05T14:30")]
    pub collected_at: Option<String>,
    /// Where (采集地点), at most 100 characters. Absent: the collector's
    /// collection point.
    #[schema(example = "多福巷北口")]
    pub collected_place: Option<String>,
}

impl CollectionRequest {
    /// The collection `actor` gives, checked against `now` and, when the
    /// record has a day of its own, `not_before`. Only a collector gives
    /// one: anyone else's is refused, not silently dropped.
    pub(crate) fn parse(
        &self,
        actor: &Actor,
        now: OffsetDateTime,
        not_before: Option<Date>,
    ) -> Result<Option<Collection>, ApiError> {
        let mut fields = Fields::default();
        let parsed = self.collect(&mut fields, actor, now, not_before);
        fields.finish(parsed)
    }

    fn collect(
        &self,
        fields: &mut Fields,
        actor: &Actor,
        now: OffsetDateTime,
        not_before: Option<Date>,
    ) -> Option<Option<Collection>> {
        let at_text = non_blank(self.collected_at.as_deref());
        let place_text = non_blank(self.collected_place.as_deref());
        if at_text.is_none() && place_text.is_none() {
            return Some(None);
        }
        if actor.role != Some(Role::Collector) {
            let field = if at_text.is_some() {
                "collected_at"
            } else {
                "collected_place"
            };
            fields.refuse(field, &CollectionError::NotACollector);
            return None;
        }
        let at = fields.optional("collected_at", at_text, |text| {
            let at = CollectionTime::parse(text, now)?;
            match not_before {
                Some(day) => at.not_before(day),
                None => Ok(at),
            }
        });
        let place = fields.optional("collected_place", place_text, CollectionPlace::parse);
        Some(Some(Collection {
            at: at?,
            place: place?,
        }))
    }
}

/// A record's fields and its collection, parsed apart: every field error
/// of both comes back in one answer, as a form wants.
pub(crate) fn with_collection<T>(
    record: Result<T, ApiError>,
    collection: Result<Option<Collection>, ApiError>,
) -> Result<(T, Option<Collection>), ApiError> {
    match (record, collection) {
        (Ok(record), Ok(collection)) => Ok((record, collection)),
        (Err(ApiError::Validation(mut first)), Err(ApiError::Validation(more))) => {
            first.extend(more);
            Err(ApiError::Validation(first))
        }
        (Err(error), _) | (_, Err(error)) => Err(error),
    }
}
