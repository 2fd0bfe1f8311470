package upload

import (
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestDefaultOptions(t *testing.T) {
	o := DefaultOptions()
	wantFiles := min(max(16, 4*runtime.NumCPU()), 64)
	if o.FileConcurrency != wantFiles || o.BlockConcurrency != 8 || o.Layout.BlockSize != 8<<20 || o.Layout.PutLimit != 64<<20 {
		t.Errorf("DefaultOptions() = %+v", o)
	}
	if z := (Options{}).withDefaults(); z.FileConcurrency != o.FileConcurrency || z.BlockConcurrency != o.BlockConcurrency ||
		z.Layout != o.Layout {
		t.Error("the zero Options does not mean the defaults")
	}
	if err := o.validate(); err != nil {
		t.Errorf("defaults do not validate: %v", err)
	}
}

func TestOptionsFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    func(o Options) bool
		wantErr string
	}{
		{
			name: "no variables",
			env:  nil,
			want: func(o Options) bool {
				d := DefaultOptions()
				return o.FileConcurrency == d.FileConcurrency && o.BlockConcurrency == d.BlockConcurrency && o.Layout == d.Layout
			},
		},
		{
			name: "all four",
			env:  map[string]string{EnvFileConcurrency: "3", EnvBlockConcurrency: " 5 ", EnvBlockSize: "16MiB", EnvPutLimit: "32MiB"},
			want: func(o Options) bool {
				return o.FileConcurrency == 3 && o.BlockConcurrency == 5 && o.Layout == Layout{BlockSize: 16 << 20, PutLimit: 32 << 20}
			},
		},
		{
			name: "plain bytes",
			env:  map[string]string{EnvBlockSize: "1048576"},
			want: func(o Options) bool { return o.Layout.BlockSize == 1<<20 },
		},
		{
			name: "decimal unit",
			env:  map[string]string{EnvBlockSize: "4MB"},
			want: func(o Options) bool { return o.Layout.BlockSize == 4_000_000 },
		},
		{
			name: "lowercase unit with space",
			env:  map[string]string{EnvBlockSize: "512 kib"},
			want: func(o Options) bool { return o.Layout.BlockSize == 512<<10 },
		},
		{
			name: "put limit",
			env:  map[string]string{EnvPutLimit: "1MiB"},
			want: func(o Options) bool { return o.Layout.PutLimit == 1<<20 && o.Layout.BlockSize == DefaultBlockSize },
		},
		{
			name: "blank values keep the defaults",
			env:  map[string]string{EnvFileConcurrency: "  ", EnvBlockSize: ""},
			want: func(o Options) bool {
				return o.FileConcurrency == DefaultFileConcurrency() && o.Layout.BlockSize == DefaultBlockSize
			},
		},
		{name: "zero files", env: map[string]string{EnvFileConcurrency: "0"}, wantErr: EnvFileConcurrency + `="0": want a whole number from 1 to 1024`},
		{name: "word", env: map[string]string{EnvBlockConcurrency: "many"}, wantErr: EnvBlockConcurrency + `="many"`},
		{name: "too many blocks", env: map[string]string{EnvBlockConcurrency: "257"}, wantErr: "from 1 to 256"},
		{name: "unknown unit", env: map[string]string{EnvBlockSize: "8 furlongs"}, wantErr: EnvBlockSize + `="8 furlongs": unknown unit "furlongs"`},
		{name: "no number", env: map[string]string{EnvBlockSize: "MiB"}, wantErr: "want bytes or a size like 8MiB"},
		{name: "too small", env: map[string]string{EnvBlockSize: "1KiB"}, wantErr: "between 64KiB and 4000MiB"},
		{name: "too large", env: map[string]string{EnvBlockSize: "5GiB"}, wantErr: "between 64KiB and 4000MiB"},
		{name: "overflow", env: map[string]string{EnvBlockSize: "99999999999999GiB"}, wantErr: "too large"},
		{name: "put limit zero", env: map[string]string{EnvPutLimit: "0"}, wantErr: "from 1 byte to 5000MiB"},
		{name: "put limit too large", env: map[string]string{EnvPutLimit: "6GiB"}, wantErr: EnvPutLimit + `="6GiB": a single Put Blob takes from 1 byte to 5000MiB`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{EnvFileConcurrency, EnvBlockConcurrency, EnvBlockSize, EnvPutLimit} {
				t.Setenv(k, "") // empty means unset
			}
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			o, err := OptionsFromEnv()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.want(o) {
				t.Errorf("OptionsFromEnv() = %+v", o)
			}
		})
	}
}

func TestBlockSizeFor(t *testing.T) {
	tests := []struct {
		file, block, want int64
		wantErr           bool
	}{
		{file: 100, block: 8 << 20, want: 8 << 20},
		{file: 50000 * (8 << 20), block: 8 << 20, want: 8 << 20},
		{file: 50000*(8<<20) + 1, block: 8 << 20, want: 9 << 20},
		{file: 1 << 40, block: 8 << 20, want: 21 << 20}, // 1 TiB / 50,000 = 20.97 MiB
		{file: 50001 * (4000 << 20), block: 8 << 20, wantErr: true},
	}
	for _, tt := range tests {
		got, err := blockSizeFor(tt.file, tt.block)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("blockSizeFor(%d, %d) = %d, %v; want %d (error %v)", tt.file, tt.block, got, err, tt.want, tt.wantErr)
		}
		if err == nil && (tt.file+got-1)/got > maxBlocksPerBlob {
			t.Errorf("blockSizeFor(%d) = %d needs more than 50,000 blocks", tt.file, got)
		}
	}
}

func TestResultHelpers(t *testing.T) {
	r := &Result{Bytes: 30 << 20, Duration: 2 * time.Second, RemotePath: "LocalUpload/h/data"}
	if got := r.MiBPerSecond(); got != 15 {
		t.Errorf("MiBPerSecond = %v, want 15", got)
	}
	if got := (&Result{Skipped: true}).MiBPerSecond(); got != 0 {
		t.Errorf("skipped MiBPerSecond = %v, want 0", got)
	}
	if got := r.URI("workspaceblobstore", false); got != "azureml://datastores/workspaceblobstore/paths/LocalUpload/h/data" {
		t.Errorf("URI = %q", got)
	}
}

func TestRedactHidesQueryStrings(t *testing.T) {
	err := redact(errors.New(`Put "https://acct.blob.core.windows.net/c/b?sv=2021&sig=SECRET%3D&se=x": EOF; also http://h/p?sig=OTHER`))
	for _, secret := range []string{"SECRET", "OTHER", "sv=2021"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("redacted error %q still contains %q", err, secret)
		}
	}
	if !strings.Contains(err.Error(), "https://acct.blob.core.windows.net/c/b?REDACTED") {
		t.Errorf("redacted error %q lost the URL path", err)
	}
}
