//go:build tools

// Package tools records the binaries this module exists to build (see go.mod `tool`).
package tools

import _ "github.com/openbao/openbao"
