// The differential oracle for src/compose_images.c (docs/compose-model.md):
// decodes each compose file with yaml.v3, the YAML library compose-go is
// built on, then applies Compose's loading rules as compose-go's loader
// states them (reset/override paths, per-document extends, merge in order,
// volumes unique by target) and prints, per case, the images that run.
//
// Input (stdin): cases separated by a NUL byte. Output: one JSON line per
// case, {"ok":true,"images":[{service,image,pinned,kind}]} or
// {"ok":false,"error":"..."}. Built with GOPATH=/usr/share/gocode
// GO111MODULE=off against Debian's golang-gopkg-yaml.v3-dev, offline.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

const unknownKey = "\x01unknowable"

type image struct {
	Service string  `json:"service"`
	Image   *string `json:"image"`
	Pinned  bool    `json:"pinned"`
	Kind    string  `json:"kind"`
}

type result struct {
	OK     bool    `json:"ok"`
	Error  string  `json:"error,omitempty"`
	Images []image `json:"images,omitempty"`
}

// ---- the reset processor: tags are read on nodes, before decoding ----

type resetter struct {
	paths    []string
	override int
	// Containers already resolved (through another alias): their tag paths
	// relative to the container, replayed at each further use, as
	// compose-go's processor does.
	cache map[*yaml.Node][][]string
	rec   [][]string
}

func join(path []string) string { return strings.Join(path, "\x1f") }

// collapse drops every "<<" segment but a leading one: compose-go drops the
// first ".<<" of the path at each level it descends.
func collapse(path []string) []string {
	out := []string{}
	for i, s := range path {
		if s == "<<" && i > 0 {
			continue
		}
		out = append(out, s)
	}
	return out
}

// resolve drops !reset nodes (recording their path) and records !override
// paths, as compose-go's ResetProcessor does; it refuses duplicate keys.
// Aliases are followed for their tags and contents.
func (r *resetter) resolve(n *yaml.Node, path []string, depth int) (*yaml.Node, error) {
	if depth > 200 {
		return nil, errors.New("too deep")
	}
	t := n
	if n.Kind == yaml.AliasNode {
		t = n.Alias
	}
	if t.Tag == "!reset" || t.Tag == "!override" {
		if r.override > 0 {
			return nil, errors.New("tag inside override")
		}
		r.paths = append(r.paths, join(collapse(path)))
		r.rec = append(r.rec, collapse(path))
		if t.Tag == "!reset" {
			return nil, nil
		}
		// The value is kept, tag and all, for yaml.v3 to decode (as compose-go
		// does); tags below it are refused here and in the C reader alike.
		r.override++
		defer func() { r.override-- }()
	}
	if t.Kind == yaml.SequenceNode || t.Kind == yaml.MappingNode {
		base := collapse(path)
		if rel, ok := r.cache[t]; ok {
			for _, p := range rel {
				full := append(append([]string{}, base...), p...)
				r.paths = append(r.paths, join(full))
				r.rec = append(r.rec, full)
			}
			return t, nil
		}
		start := len(r.rec)
		defer func() {
			var rel [][]string
			for _, p := range r.rec[start:] {
				rel = append(rel, p[len(base):])
			}
			r.cache[t] = rel
		}()
	}
	switch t.Kind {
	case yaml.SequenceNode:
		var out []*yaml.Node
		for i, c := range t.Content {
			v, err := r.resolve(c, append(append([]string{}, path...), strconv.Itoa(i)), depth+1)
			if err != nil {
				return nil, err
			}
			if v != nil {
				out = append(out, c)
			}
		}
		t.Content = out
	case yaml.MappingNode:
		seen := map[string]bool{}
		var out []*yaml.Node
		for i := 0; i+1 < len(t.Content); i += 2 {
			k := t.Content[i].Value
			if seen[k] {
				return nil, fmt.Errorf("line %d: duplicate key %q", t.Content[i].Line, k)
			}
			seen[k] = true
			v, err := r.resolve(t.Content[i+1], append(append([]string{}, path...), k), depth+1)
			if err != nil {
				return nil, err
			}
			if v != nil {
				// compose-go hands yaml.v3 the alias target itself under "<<",
				// so an alias to a sequence of maps merges too.
				if k == "<<" {
					out = append(out, t.Content[i], v)
				} else {
					out = append(out, t.Content[i], t.Content[i+1])
				}
			}
		}
		t.Content = out
	}
	return t, nil
}

// ---- Compose's rules on decoded values ----

func stringKeys(v any) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			c, err := stringKeys(e)
			if err != nil {
				return nil, err
			}
			x[k] = c
		}
		return x, nil
	case map[any]any:
		m := map[string]any{}
		for k, e := range x {
			c, err := stringKeys(e)
			if err != nil {
				return nil, err
			}
			m[fmt.Sprint(k)] = c
		}
		return m, nil
	case []any:
		for i, e := range x {
			c, err := stringKeys(e)
			if err != nil {
				return nil, err
			}
			x[i] = c
		}
		return x, nil
	}
	return v, nil
}

func applyPath(root map[string]any, path string) {
	segs := strings.Split(path, "\x1f")
	cur := root
	for i, s := range segs {
		if i == len(segs)-1 {
			delete(cur, s)
			return
		}
		next, ok := cur[s].(map[string]any)
		if !ok {
			return
		}
		cur = next
	}
}

func merge(e, o any) (any, error) {
	if o == nil {
		return e, nil
	}
	switch ev := e.(type) {
	case map[string]any:
		om, ok := o.(map[string]any)
		if !ok {
			return nil, errors.New("cannot override a mapping")
		}
		for k, v := range om {
			if cur, ok := ev[k]; ok {
				m, err := merge(cur, v)
				if err != nil {
					return nil, err
				}
				ev[k] = m
			} else {
				ev[k] = v
			}
		}
		return ev, nil
	case []any:
		os, ok := o.([]any)
		if !ok {
			return nil, errors.New("cannot override a sequence")
		}
		return append(ev, os...), nil
	}
	return o, nil
}

func deepClone(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := map[string]any{}
		for k, e := range x {
			m[k] = deepClone(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = deepClone(e)
		}
		return s
	}
	return v
}

func extend(services map[string]any, name string, paths []string, hops int) (any, error) {
	s := services[name]
	if s == nil {
		return nil, nil
	}
	svc, ok := s.(map[string]any)
	if !ok {
		return nil, errors.New("service not a mapping")
	}
	x, ok := svc["extends"]
	if !ok {
		return svc, nil
	}
	if hops > 8 {
		delete(svc, "extends")
		svc[unknownKey] = true
		return svc, nil
	}
	var ref string
	var file any
	switch v := x.(type) {
	case string:
		ref = v
	case map[string]any:
		r, ok := v["service"].(string)
		if !ok {
			return nil, errors.New("extends without service")
		}
		ref, file = r, v["file"]
	default:
		return nil, errors.New("bad extends")
	}
	delete(svc, "extends")
	if file != nil || strings.Contains(ref, "$") {
		svc[unknownKey] = true
		return svc, nil
	}
	if _, ok := services[ref]; !ok {
		svc[unknownKey] = true
		return svc, nil
	}
	base, err := extend(services, ref, paths, hops+1)
	if err != nil {
		return nil, err
	}
	if base == nil {
		return svc, nil
	}
	src := deepClone(base).(map[string]any)
	pre := "services\x1f" + name + "\x1f"
	for _, p := range paths {
		if strings.HasPrefix(p, pre) {
			applyPath(src, p[len(pre):])
		}
	}
	m, err := merge(src, svc)
	if err != nil {
		return nil, err
	}
	mm := m.(map[string]any)
	delete(mm, "extends")
	services[name] = mm
	return mm, nil
}

var digest = regexp.MustCompile(`@sha256:[0-9a-f]{64}$`)

func pinned(img string) bool { return !strings.Contains(img, "$") && digest.MatchString(img) }

func volumeTarget(v any) string {
	switch x := v.(type) {
	case map[string]any:
		if t, ok := x["target"].(string); ok {
			return t
		}
		return ""
	case string:
		parts := strings.SplitN(x, ":", 3)
		if len(parts) == 1 {
			return x
		}
		return parts[1]
	}
	return ""
}

func str(v any) (*string, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		return &x, nil
	}
	return nil, errors.New("image not a string")
}

func load(text []byte) ([]image, error) {
	dec := yaml.NewDecoder(bytes.NewReader(text))
	var dict map[string]any
	include := false
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		r := &resetter{cache: map[*yaml.Node][][]string{}}
		root := &n
		if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
			root = n.Content[0]
		}
		res, err := r.resolve(root, nil, 0)
		if err != nil {
			return nil, err
		}
		var raw any
		if res != nil {
			if err := res.Decode(&raw); err != nil {
				return nil, err
			}
		}
		conv, err := stringKeys(raw)
		if err != nil {
			return nil, err
		}
		cfg, ok := conv.(map[string]any)
		if !ok {
			return nil, errors.New("top-level object must be a mapping")
		}
		if inc, ok := cfg["include"]; ok && inc != nil {
			l, ok := inc.([]any)
			if !ok {
				return nil, errors.New("include not a list")
			}
			if len(l) > 0 {
				include = true
			}
		}
		if dict != nil {
			for _, p := range r.paths {
				applyPath(dict, p)
			}
		}
		if services, ok := cfg["services"].(map[string]any); ok {
			for name := range services {
				if _, err := extend(services, name, r.paths, 0); err != nil {
					return nil, err
				}
			}
		}
		if dict == nil {
			dict = cfg
		} else {
			m, err := merge(dict, cfg)
			if err != nil {
				return nil, err
			}
			dict = m.(map[string]any)
		}
	}
	if dict == nil {
		return nil, errors.New("no document")
	}
	sv, ok := dict["services"]
	if !ok {
		return nil, errors.New("no services")
	}
	var out []image
	if sv != nil {
		services, ok := sv.(map[string]any)
		if !ok {
			return nil, errors.New("services not a mapping")
		}
		for name, s := range services {
			if s == nil {
				out = append(out, image{Service: name, Kind: "service"})
				continue
			}
			svc, ok := s.(map[string]any)
			if !ok {
				return nil, errors.New("service not a mapping")
			}
			img, err := str(svc["image"])
			if err != nil {
				return nil, err
			}
			pin := img != nil && pinned(*img)
			if _, ok := svc[unknownKey]; ok {
				pin = false
			}
			if b, ok := svc["build"]; ok && b != nil {
				pin = false
			}
			if pp, ok := svc["pull_policy"].(string); ok && (pp == "build" || strings.Contains(pp, "$")) {
				pin = false
			}
			if p, ok := svc["provider"]; ok && p != nil {
				pin = false
			}
			if hooks, ok := svc["pre_start"]; ok && hooks != nil {
				list, ok := hooks.([]any)
				if !ok {
					return nil, errors.New("pre_start not a list")
				}
				for _, h := range list {
					if m, ok := h.(map[string]any); ok {
						if v, ok := m["image"]; ok {
							img, err := str(v)
							if err != nil {
								return nil, err
							}
							out = append(out, image{Service: name, Image: img, Pinned: img != nil && pinned(*img), Kind: "hook"})
						}
					}
				}
			}
			out = append(out, image{Service: name, Image: img, Pinned: pin, Kind: "service"})
			vols, ok := svc["volumes"]
			if !ok || vols == nil {
				continue
			}
			list, ok := vols.([]any)
			if !ok {
				return nil, errors.New("volumes not a list")
			}
			// Unique by target, a later entry replacing an earlier one in place.
			var uniq []any
			idx := map[string]int{}
			for _, v := range list {
				t := volumeTarget(v)
				if j, ok := idx[t]; ok {
					uniq[j] = v
				} else {
					idx[t] = len(uniq)
					uniq = append(uniq, v)
				}
			}
			for _, v := range uniq {
				m, ok := v.(map[string]any)
				if !ok {
					continue
				}
				t, ok := m["type"].(string)
				if !ok {
					continue
				}
				if strings.Contains(t, "$") || t == "image" {
					src, err := str(m["source"])
					if err != nil {
						return nil, err
					}
					p := t == "image" && src != nil && pinned(*src)
					out = append(out, image{Service: name, Image: src, Pinned: p, Kind: "volume"})
				}
			}
		}
	}
	if mv, ok := dict["models"]; ok && mv != nil {
		models, ok := mv.(map[string]any)
		if !ok {
			return nil, errors.New("models not a mapping")
		}
		for name, m := range models {
			if m == nil {
				continue
			}
			mm, ok := m.(map[string]any)
			if !ok {
				return nil, errors.New("model not a mapping")
			}
			img, err := str(mm["model"])
			if err != nil {
				return nil, err
			}
			out = append(out, image{Service: name, Image: img, Pinned: img != nil && pinned(*img), Kind: "model"})
		}
	}
	if include {
		out = append(out, image{Service: "include", Kind: "include"})
	}
	return out, nil
}

func main() {
	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		panic(err)
	}
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	for _, c := range bytes.Split(in, []byte{0}) {
		imgs, err := load(c)
		var r result
		if err != nil {
			r = result{OK: false, Error: err.Error()}
		} else {
			r = result{OK: true, Images: imgs}
			if r.Images == nil {
				r.Images = []image{}
			}
		}
		b, _ := json.Marshal(r)
		w.Write(b)
		w.WriteByte('\n')
	}
}
