module books-platform/gatewayd

go 1.19
