/*
 * zone_map.h: min, max and NULL count of a column over a range of stored
 * rows (a 2048-row chunk or a row group). Scans skip ranges whose zone map
 * proves that no row can pass a filter; the planner reads them as statistics.
 */
#ifndef ARM_TABLE_ZONE_MAP_H
#define ARM_TABLE_ZONE_MAP_H

#include "table/table_provider.h"

/*
 * Zone maps only widen: deleted rows stay counted, which keeps them correct
 * (a hint may keep a range that has no match, never drop one that has).
 * String min/max point into the stored rows, which live as long as the table.
 */
typedef struct zone_map {
    uint64_t row_count;  /* rows covered */
    uint64_t null_count; /* NULLs among them */
    bool has_values;     /* a non-NULL value was seen: min/max are set */
    bool is_unordered;   /* a NaN was seen: min/max cannot prune */
    value min;
    value max;
} zone_map;

void zone_map_init(zone_map *z, logical_type type);
/* Widens `z` by rows [from, to) of the flat vector `v`. */
void zone_map_update(zone_map *z, const vector *v, uint32_t from, uint32_t to);
/* Widens `into` by everything `from` covers. */
void zone_map_merge(zone_map *into, const zone_map *from);
/* False only when no row covered by `z` can satisfy `f`. */
bool zone_map_may_match(const zone_map *z, const table_filter *f);

/*
 * The catalog's per-chunk statistics: `count` zone maps as bytes (malloc'd).
 * Strings longer than 64 bytes keep their counts but not their min/max.
 */
arm_status zone_map_encode(const zone_map *zones, uint32_t count, uint8_t **out, uint32_t *length,
                           arm_error *err);
/*
 * Decodes `count` zone maps of the given types; string min/max point into
 * `data`, which must outlive them. False when the bytes are malformed.
 */
bool zone_map_decode(const uint8_t *data, uint32_t length, zone_map *zones,
                     const logical_type *types, uint32_t count);

#endif
