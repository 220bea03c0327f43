package config_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/pyreload/pyreload/reload/config"
)

// TestEveryKeyIsRead: each setting's name is read by Merge (a value of the
// wrong type is its error, not an unknown key), so no setting is ever
// warned about as a typo.
func TestEveryKeyIsRead(t *testing.T) {
	assert.Contains(t, config.Keys, "pythonPath")
	assert.Contains(t, config.Keys, "paths")
	for _, key := range config.Keys {
		_, err := config.Default().Merge(map[string]any{key: struct{}{}})
		var unknown *config.UnknownKey
		assert.Error(t, err, key)
		assert.False(t, errors.As(err, &unknown), "%s is a setting: %v", key, err)
	}
}
