package mlx

import (
	"os"
	"testing"
)

// TestSetTF32Default checks that the default applies only where the environment says nothing.
func TestSetTF32Default(t *testing.T) {
	tests := []struct {
		name    string
		env     *string // nil: unset
		enabled bool
		want    bool
		wantEnv string
	}{
		{name: "unset, default off", enabled: false, want: false, wantEnv: "0"},
		{name: "unset, default on", enabled: true, want: true, wantEnv: "1"},
		{name: "set to 1 wins", env: ptr("1"), enabled: false, want: true, wantEnv: "1"},
		{name: "set to 0 wins", env: ptr("0"), enabled: true, want: false, wantEnv: "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(TF32Env, "") // restored after the test
			var err error
			if tt.env == nil {
				err = os.Unsetenv(TF32Env)
			} else {
				err = os.Setenv(TF32Env, *tt.env)
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := SetTF32Default(tt.enabled)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want || os.Getenv(TF32Env) != tt.wantEnv {
				t.Errorf("SetTF32Default(%v) = %v with %s=%q, want %v and %q", tt.enabled, got, TF32Env, os.Getenv(TF32Env), tt.want, tt.wantEnv)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
