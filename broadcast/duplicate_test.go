package broadcast

import "testing"

func TestSameText(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"Doors open at 7", "Doors open at 7", true},
		{"Doors open at 7", "  Doors  open\tat 7\n", true},
		{"Doors open\nat 7", "Doors open at 7", true},
		{"Doors open at 7", "doors open at 7", false},
		{"Doors open at 7", "Doors open at 7!", false},
		{"Hi {{first_name}}", "Hi {{ first_name }}", false},
	}
	for _, tt := range tests {
		if got := sameText(tt.a, tt.b); got != tt.want {
			t.Errorf("sameText(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
