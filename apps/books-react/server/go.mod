module books-react/server

go 1.19
