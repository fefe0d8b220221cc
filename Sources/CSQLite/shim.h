#ifndef CSQLITE_SHIM_H
#define CSQLITE_SHIM_H
#include <sqlite3.h>
/* SQLITE_TRANSIENT is a cast macro Swift cannot import: ask SQLite to copy bound blobs. */
static inline int csqlite_bind_blob_copy(sqlite3_stmt *s, int i, const void *p, int n) {
    return sqlite3_bind_blob(s, i, p, n, SQLITE_TRANSIENT);
}
static inline int csqlite_bind_text_copy(sqlite3_stmt *s, int i, const char *p) {
    return sqlite3_bind_text(s, i, p, -1, SQLITE_TRANSIENT);
}
#endif
