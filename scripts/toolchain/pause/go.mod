module books-platform.local/toolchain/pause

go 1.26.0
