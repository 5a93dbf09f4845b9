/** SQL that takes a journal's tables back to before version 7 (no counts kept as events change), for migration tests. */
export const withoutCounts = (prefix: string): string => `
  DELETE FROM ${prefix}versions WHERE version = 7;
  DROP TRIGGER counted_inserts ON ${prefix}events; DROP TRIGGER counted_deletes ON ${prefix}events; DROP TRIGGER counted_changes ON ${prefix}events;
  DROP FUNCTION ${prefix}count_change, ${prefix}fold_counts;
  DROP TABLE ${prefix}count_changes, ${prefix}hour_counts, ${prefix}tenant_hour_counts, ${prefix}counts_since, ${prefix}tenant_day_counts;`;
