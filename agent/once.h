/* --once output: one JSON object per line on stdout, per sample or
 * inventory record. The format is a contract (tests and profile authors
 * read it):
 *   {"device":"ups-a","kind":"ups","metric":"ups.battery.charge","value":100,
 *    "unit":"%","ts":"2026-11-23T03:30:00.123Z","labels":{"oid":"1.3..."}}
 * A state value adds "state":"onBattery". Inventory:
 *   {"device":"ups-a","kind":"ups","ts":"...","inventory":{"type":"system",
 *    "id":"","fields":{"sysDescr":"..."}}} */
#ifndef PANTAU_ONCE_H
#define PANTAU_ONCE_H

#include "device.h"

void once_print_sample(const struct device *dev, const struct sample_in *s, int64_t ts_ms);
void once_print_inventory(const struct device *dev, const char *item_kind, const char *item_id,
			  const struct label *fields, size_t nfields);

#endif
