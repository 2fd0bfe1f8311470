package blob

import (
	"hash/fnv"
	"sync"
)

// lockTable serializes writers of the same blob (and lets readers pair a
// file with its sidecar) without a map that grows with every name: blobs
// share 256 read-write locks by hash of their full name.
type lockTable struct {
	stripes [256]sync.RWMutex
}

func (t *lockTable) forBlob(account, container, name string) *sync.RWMutex {
	f := fnv.New32a()
	f.Write([]byte(account))
	f.Write([]byte{0})
	f.Write([]byte(container))
	f.Write([]byte{0})
	f.Write([]byte(name))
	return &t.stripes[f.Sum32()%uint32(len(t.stripes))]
}
