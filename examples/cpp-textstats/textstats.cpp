// textstats: word frequencies of a text, a C++17 library meant to run as a WebAssembly reactor.
//
// The host copies text into linear memory (ts_alloc), feeds it with ts_analyze, then asks for the
// most frequent words: one at a time (ts_top) or all reported back through its env.on_word import.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#define EXPORT(name) extern "C" __attribute__((export_name(name)))

// The host's callback: one ranked word, given as (pointer, length) into this module's memory.
extern "C" __attribute__((import_module("env"), import_name("on_word"))) void
host_on_word(const char *word, uint32_t length, uint32_t count);

namespace {

class WordCounter {
  public:
    // Adds the words of `text`: runs of ASCII letters, lower-cased.
    void add(std::string_view text) {
        std::string word;
        for (size_t i = 0; i <= text.size(); i++) {
            char c = i < text.size() ? text[i] : ' ';
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
                word += static_cast<char>(c | 0x20);
            } else if (!word.empty()) {
                counts_[word]++;
                total_++;
                word.clear();
            }
        }
        ranking_.clear();
    }

    uint32_t distinct() const { return static_cast<uint32_t>(counts_.size()); }
    uint32_t total() const { return total_; }

    // Words by count, most frequent first, ties in alphabetical order; rebuilt after each add.
    const std::vector<std::pair<std::string, uint32_t>> &ranking() {
        if (ranking_.size() != counts_.size()) {
            ranking_.assign(counts_.begin(), counts_.end());
            std::sort(ranking_.begin(), ranking_.end(), [](const auto &a, const auto &b) {
                return a.second != b.second ? a.second > b.second : a.first < b.first;
            });
        }
        return ranking_;
    }

  private:
    std::unordered_map<std::string, uint32_t> counts_;
    std::vector<std::pair<std::string, uint32_t>> ranking_;
    uint32_t total_ = 0;
};

WordCounter counter;

} // namespace

EXPORT("ts_alloc") char *ts_alloc(uint32_t size) { return static_cast<char *>(std::malloc(size)); }

EXPORT("ts_free") void ts_free(char *buffer) { std::free(buffer); }

// Adds the words of text[0, length); returns the number of distinct words so far.
EXPORT("ts_analyze") uint32_t ts_analyze(const char *text, uint32_t length) {
    counter.add(std::string_view(text, length));
    return counter.distinct();
}

EXPORT("ts_total") uint32_t ts_total() { return counter.total(); }

// Writes the rank-th most frequent word (0 = first), NUL-terminated and cut to out_capacity,
// to `out`; returns its count. A rank past the last word is a caller's bug: it traps.
EXPORT("ts_top") uint32_t ts_top(uint32_t rank, char *out, uint32_t out_capacity) {
    const auto &ranking = counter.ranking();
    if (rank >= ranking.size() || out_capacity == 0)
        __builtin_trap();
    const std::string &word = ranking[rank].first;
    size_t length = std::min<size_t>(word.size(), out_capacity - 1);
    word.copy(out, length);
    out[length] = '\0';
    return ranking[rank].second;
}

// Reports the `limit` most frequent words to the host through env.on_word; returns how many.
EXPORT("ts_report") uint32_t ts_report(uint32_t limit) {
    const auto &ranking = counter.ranking();
    uint32_t reported = std::min<uint32_t>(limit, static_cast<uint32_t>(ranking.size()));
    for (uint32_t i = 0; i < reported; i++)
        host_on_word(ranking[i].first.data(), static_cast<uint32_t>(ranking[i].first.size()),
                     ranking[i].second);
    return reported;
}
