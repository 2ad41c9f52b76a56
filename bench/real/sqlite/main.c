/* SQLite (the amalgamation in npm's better-sqlite3 package) on an in-memory database: builds a
 * shop's tables (customers, products, orders) with prepared inserts in one transaction, indexes
 * them, then runs joins with grouping and sorting, indexed point lookups, LIKE scans, a window
 * function, updates and a delete. Every row every query returns is hashed as text; the values
 * are integers and strings only, so that no floating-point formatting enters the checksum.
 *
 * The build has no operating-system layer (SQLITE_OS_OTHER): the database lives in memory, and
 * the one VFS below, which SQLite requires even then, opens no files and gives fixed randomness
 * and a fixed clock, so that every run does the same work. */
#include "bench.h"
#include "sqlite3.h"

#define FULL_ORDERS 160000
#define FULL_LOOKUPS 40000
#define CUSTOMERS 20000
#define PRODUCTS 2000
#define CITIES 40
#define CATEGORIES 12
#define DAYS 730

/* ------------------------------------------------------------------- the VFS --- */

static int vfs_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *file, int flags,
                    int *out_flags) {
    (void)vfs, (void)name, (void)file, (void)flags, (void)out_flags;
    return SQLITE_CANTOPEN;
}

static int vfs_delete(sqlite3_vfs *vfs, const char *name, int sync) {
    (void)vfs, (void)name, (void)sync;
    return SQLITE_IOERR_DELETE;
}

static int vfs_access(sqlite3_vfs *vfs, const char *name, int flags, int *result) {
    (void)vfs, (void)name, (void)flags;
    *result = 0;
    return SQLITE_OK;
}

static int vfs_full_pathname(sqlite3_vfs *vfs, const char *name, int size, char *out) {
    (void)vfs;
    sqlite3_snprintf(size, out, "%s", name);
    return SQLITE_OK;
}

static int vfs_randomness(sqlite3_vfs *vfs, int size, char *out) {
    (void)vfs;
    for (int i = 0; i < size; i++)
        out[i] = (char)(i * 131 + 7);
    return size;
}

static int vfs_sleep(sqlite3_vfs *vfs, int microseconds) {
    (void)vfs;
    return microseconds;
}

/* 2024-01-01 00:00 UTC as a Julian day, in milliseconds. */
static int vfs_current_time_int64(sqlite3_vfs *vfs, sqlite3_int64 *now) {
    (void)vfs;
    *now = (sqlite3_int64)2460310 * 86400000 + 43200000;
    return SQLITE_OK;
}

static int vfs_current_time(sqlite3_vfs *vfs, double *now) {
    sqlite3_int64 ms;
    vfs_current_time_int64(vfs, &ms);
    *now = ms / 86400000.0;
    return SQLITE_OK;
}

static int vfs_get_last_error(sqlite3_vfs *vfs, int size, char *out) {
    (void)vfs, (void)size, (void)out;
    return 0;
}

static sqlite3_vfs memory_vfs = {
    .iVersion = 2,
    .szOsFile = sizeof(sqlite3_file),
    .mxPathname = 512,
    .zName = "bench-memory",
    .xOpen = vfs_open,
    .xDelete = vfs_delete,
    .xAccess = vfs_access,
    .xFullPathname = vfs_full_pathname,
    .xRandomness = vfs_randomness,
    .xSleep = vfs_sleep,
    .xCurrentTime = vfs_current_time,
    .xGetLastError = vfs_get_last_error,
    .xCurrentTimeInt64 = vfs_current_time_int64,
};

/* SQLite's hooks for an SQLITE_OS_OTHER build. */
int sqlite3_os_init(void) { return sqlite3_vfs_register(&memory_vfs, 1); }

int sqlite3_os_end(void) { return SQLITE_OK; }

/* ------------------------------------------------------------- the workload --- */

static sqlite3 *db;
static uint64_t checksum = BENCH_HASH_SEED;

static _Noreturn void fail(const char *what) {
    fprintf(stderr, "sqlite: %s: %s\n", what, sqlite3_errmsg(db));
    exit(1);
}

static void execute(const char *sql) {
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        fail(sql);
}

static sqlite3_stmt *prepare(const char *sql) {
    sqlite3_stmt *statement;
    if (sqlite3_prepare_v2(db, sql, -1, &statement, NULL) != SQLITE_OK)
        fail(sql);
    return statement;
}

/* Steps a statement to its end, hashing every column of every row as text; resets it. */
static int64_t hash_rows(sqlite3_stmt *statement) {
    int64_t rows = 0;
    int status;
    while ((status = sqlite3_step(statement)) == SQLITE_ROW) {
        for (int i = 0; i < sqlite3_column_count(statement); i++) {
            const unsigned char *text = sqlite3_column_text(statement, i);
            int length = sqlite3_column_bytes(statement, i);
            checksum = bench_hash_bytes(checksum, text ? text : (const unsigned char *)"", length);
            checksum = bench_hash_u64(checksum, (uint64_t)i);
        }
        rows++;
    }
    if (status != SQLITE_DONE)
        fail(sqlite3_sql(statement));
    sqlite3_reset(statement);
    return rows;
}

static void query(const char *sql) {
    sqlite3_stmt *statement = prepare(sql);
    checksum = bench_hash_u64(checksum, (uint64_t)hash_rows(statement));
    sqlite3_finalize(statement);
}

/* A pronounceable name of two to four syllables. */
static void random_name(char *out) {
    static const char *const syllables[] = {"ka", "lo", "mi", "nu", "pe",  "ra",  "si",  "to",
                                            "ve", "zu", "an", "or", "bel", "dan", "fir", "gus"};
    int count = 2 + (int)(bench_random() % 3);
    out[0] = 0;
    for (int i = 0; i < count; i++)
        strcat(out, syllables[bench_random() % 16]);
}

static void populate(int orders) {
    char text[64];
    execute("CREATE TABLE customer(id INTEGER PRIMARY KEY, name TEXT, city TEXT, joined INTEGER)");
    execute("CREATE TABLE product(id INTEGER PRIMARY KEY, name TEXT, category TEXT, price "
            "INTEGER)");
    execute("CREATE TABLE orders(id INTEGER PRIMARY KEY, customer INTEGER, product INTEGER, "
            "quantity INTEGER, day INTEGER, note TEXT)");
    execute("BEGIN");
    sqlite3_stmt *insert = prepare("INSERT INTO customer VALUES (?, ?, ?, ?)");
    for (int id = 1; id <= CUSTOMERS; id++) {
        random_name(text);
        sqlite3_bind_int(insert, 1, id);
        sqlite3_bind_text(insert, 2, text, -1, SQLITE_TRANSIENT);
        snprintf(text, sizeof text, "city%02d", (int)(bench_random() % CITIES));
        sqlite3_bind_text(insert, 3, text, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(insert, 4, (int)(bench_random() % DAYS));
        if (sqlite3_step(insert) != SQLITE_DONE)
            fail("insert customer");
        sqlite3_reset(insert);
    }
    sqlite3_finalize(insert);
    insert = prepare("INSERT INTO product VALUES (?, ?, ?, ?)");
    for (int id = 1; id <= PRODUCTS; id++) {
        random_name(text);
        sqlite3_bind_int(insert, 1, id);
        sqlite3_bind_text(insert, 2, text, -1, SQLITE_TRANSIENT);
        snprintf(text, sizeof text, "category%d", (int)(bench_random() % CATEGORIES));
        sqlite3_bind_text(insert, 3, text, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(insert, 4, 99 + (int)(bench_random() % 20000));
        if (sqlite3_step(insert) != SQLITE_DONE)
            fail("insert product");
        sqlite3_reset(insert);
    }
    sqlite3_finalize(insert);
    insert = prepare("INSERT INTO orders(customer, product, quantity, day, note) VALUES (?, ?, ?, "
                     "?, ?)");
    for (int i = 0; i < orders; i++) {
        /* Some customers and products are far busier than others. */
        uint64_t r = bench_random();
        int customer = 1 + (int)((r % CUSTOMERS) * ((r >> 32) % CUSTOMERS) / CUSTOMERS);
        sqlite3_bind_int(insert, 1, customer);
        sqlite3_bind_int(insert, 2, 1 + (int)(bench_random() % PRODUCTS));
        sqlite3_bind_int(insert, 3, 1 + (int)(bench_random() % 12));
        sqlite3_bind_int(insert, 4, (int)(bench_random() % DAYS));
        if (bench_random() % 4 == 0) {
            random_name(text);
            sqlite3_bind_text(insert, 5, text, -1, SQLITE_TRANSIENT);
        } else {
            sqlite3_bind_null(insert, 5);
        }
        if (sqlite3_step(insert) != SQLITE_DONE)
            fail("insert order");
        sqlite3_reset(insert);
    }
    sqlite3_finalize(insert);
    execute("COMMIT");
    execute("CREATE INDEX orders_customer ON orders(customer)");
    execute("CREATE INDEX orders_product_day ON orders(product, day)");
    execute("CREATE INDEX customer_city ON customer(city)");
}

static void lookups(int count) {
    sqlite3_stmt *by_customer =
        prepare("SELECT count(*), max(day), sum(quantity) FROM orders WHERE customer = ?");
    sqlite3_stmt *by_product = prepare(
        "SELECT count(*), sum(quantity) FROM orders WHERE product = ? AND day BETWEEN ? AND ?");
    for (int i = 0; i < count; i++) {
        sqlite3_bind_int(by_customer, 1, 1 + (int)(bench_random() % CUSTOMERS));
        hash_rows(by_customer);
        int day = (int)(bench_random() % DAYS);
        sqlite3_bind_int(by_product, 1, 1 + (int)(bench_random() % PRODUCTS));
        sqlite3_bind_int(by_product, 2, day);
        sqlite3_bind_int(by_product, 3, day + 60);
        hash_rows(by_product);
    }
    sqlite3_finalize(by_customer);
    sqlite3_finalize(by_product);
}

static void queries(void) {
    query("SELECT c.city, count(*), sum(o.quantity * p.price) FROM orders o "
          "JOIN customer c ON c.id = o.customer JOIN product p ON p.id = o.product "
          "GROUP BY c.city ORDER BY 3 DESC, 1");
    query("SELECT p.category, o.day / 30, sum(o.quantity), count(DISTINCT o.customer) "
          "FROM orders o JOIN product p ON p.id = o.product GROUP BY 1, 2 ORDER BY 1, 2");
    query("SELECT o.customer, c.name, sum(o.quantity * p.price) AS spent FROM orders o "
          "JOIN product p ON p.id = o.product JOIN customer c ON c.id = o.customer "
          "GROUP BY o.customer ORDER BY spent DESC, o.customer LIMIT 200");
    query("SELECT count(*), sum(length(name)) FROM customer WHERE name LIKE '%an%' OR name LIKE "
          "'ka%'");
    query("SELECT upper(c.name) || '/' || c.city, o.note, o.day FROM orders o "
          "JOIN customer c ON c.id = o.customer WHERE o.note LIKE '%or%' "
          "ORDER BY o.note, o.id LIMIT 500");
    query("SELECT city, count(*) FROM customer c WHERE NOT EXISTS "
          "(SELECT 1 FROM orders o WHERE o.customer = c.id AND o.day < 100) "
          "GROUP BY city ORDER BY city");
    query("SELECT sum(running) FROM (SELECT sum(quantity) OVER (PARTITION BY customer ORDER BY "
          "day, id ROWS BETWEEN 3 PRECEDING AND CURRENT ROW) AS running FROM orders)");
    execute("UPDATE product SET price = price * 105 / 100 WHERE category IN ('category3', "
            "'category7')");
    execute("UPDATE orders SET quantity = quantity + 1 WHERE day % 7 = 0");
    execute("DELETE FROM orders WHERE quantity > 11");
    query("SELECT count(*), sum(quantity), sum(day) FROM orders");
    query("SELECT p.category, sum(o.quantity * p.price) FROM orders o "
          "JOIN product p ON p.id = o.product GROUP BY 1 ORDER BY 1");
}

int main(int argc, char **argv) {
    int scale = bench_begin(argc, argv);

    bench_kernel_start();
    if (sqlite3_open(":memory:", &db) != SQLITE_OK)
        fail("open");
    populate(FULL_ORDERS / scale);
    lookups(FULL_LOOKUPS / scale);
    queries();
    sqlite3_close(db);
    bench_kernel_stop();

    return bench_report(checksum);
}
