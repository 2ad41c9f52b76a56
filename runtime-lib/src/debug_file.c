/*
 * Files, ELF sections and symbols for backtraces (debug_file.h).
 */
#include <elf.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "debug_file.h"

typedef struct elf_section {
    const unsigned char *data;
    size_t size;
    uint32_t link;
} elf_section;

static int find_section(const unsigned char *file, size_t size, const char *name,
                        elf_section *found) {
    if (size < sizeof(Elf64_Ehdr) || memcmp(file, ELFMAG, SELFMAG) || file[EI_CLASS] != ELFCLASS64)
        return 0;
    const Elf64_Ehdr *header = (const Elf64_Ehdr *)file;
    if (header->e_shoff > size || header->e_shentsize != sizeof(Elf64_Shdr) ||
        header->e_shnum > (size - header->e_shoff) / sizeof(Elf64_Shdr) ||
        header->e_shstrndx >= header->e_shnum)
        return 0;
    const Elf64_Shdr *sections = (const Elf64_Shdr *)(file + header->e_shoff);
    const Elf64_Shdr *names = &sections[header->e_shstrndx];
    if (names->sh_offset > size || names->sh_size > size - names->sh_offset)
        return 0;
    for (unsigned i = 0; i < header->e_shnum; i++) {
        const Elf64_Shdr *section = &sections[i];
        if (section->sh_name >= names->sh_size || section->sh_type == SHT_NOBITS ||
            section->sh_offset > size || section->sh_size > size - section->sh_offset)
            continue;
        const char *section_name = (const char *)file + names->sh_offset + section->sh_name;
        size_t room = names->sh_size - section->sh_name;
        if (strnlen(section_name, room) == room || strcmp(section_name, name))
            continue;
        *found = (elf_section){file + section->sh_offset, section->sh_size, section->sh_link};
        return 1;
    }
    return 0;
}

reader w2n_elf_section(const unsigned char *file, size_t size, const char *name) {
    elf_section section;
    if (!find_section(file, size, name, &section))
        return sub_reader(NULL, NULL);
    return sub_reader(section.data, section.data + section.size);
}

const char *w2n_elf_function_symbol(const unsigned char *file, size_t size, uint64_t address) {
    elf_section symbols, strings;
    if (!find_section(file, size, ".symtab", &symbols))
        return NULL;
    const Elf64_Ehdr *header = (const Elf64_Ehdr *)file;
    if (symbols.link >= header->e_shnum)
        return NULL;
    const Elf64_Shdr *link = (const Elf64_Shdr *)(file + header->e_shoff) + symbols.link;
    if (link->sh_offset > size || link->sh_size > size - link->sh_offset)
        return NULL;
    strings = (elf_section){file + link->sh_offset, link->sh_size, 0};
    const Elf64_Sym *table = (const Elf64_Sym *)symbols.data;
    for (size_t i = 0; i < symbols.size / sizeof(Elf64_Sym); i++) {
        const Elf64_Sym *symbol = &table[i];
        if (ELF64_ST_TYPE(symbol->st_info) != STT_FUNC || symbol->st_name >= strings.size ||
            address - symbol->st_value >= symbol->st_size)
            continue;
        const char *name = (const char *)strings.data + symbol->st_name;
        size_t room = strings.size - symbol->st_name;
        return strnlen(name, room) < room ? name : NULL;
    }
    return NULL;
}

void w2n_debug_files_init(w2n_debug_files *files) { memset(files, 0, sizeof *files); }

void w2n_debug_files_release(w2n_debug_files *files) {
    for (unsigned i = 0; i < files->count; i++) {
        free(files->open[i].path);
        if (files->open[i].data)
            munmap((void *)files->open[i].data, files->open[i].size);
    }
    files->count = 0;
}

int w2n_debug_file(w2n_debug_files *files, const char *path, const unsigned char **data,
                   size_t *size) {
    for (unsigned i = 0; i < files->count; i++) {
        if (!strcmp(files->open[i].path, path)) {
            *data = files->open[i].data;
            *size = files->open[i].size;
            return *data != NULL;
        }
    }
    *data = NULL;
    *size = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat status;
    if (fd >= 0 && fstat(fd, &status) == 0 && status.st_size > 0) {
        void *mapped = mmap(NULL, (size_t)status.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (mapped != MAP_FAILED) {
            *data = mapped;
            *size = (size_t)status.st_size;
        }
    }
    if (fd >= 0)
        close(fd);
    if (files->count < W2N_DEBUG_MAX_FILES) {
        char *copy = strdup(path);
        if (copy) {
            files->open[files->count].path = copy;
            files->open[files->count].data = *data;
            files->open[files->count].size = *size;
            files->count++;
            return *data != NULL;
        }
    }
    /* No room to keep it: this lookup may not use it after returning. */
    if (*data)
        munmap((void *)*data, *size);
    *data = NULL;
    return 0;
}
