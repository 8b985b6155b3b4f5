package geomap

// clipRing clips the closed ring r (last point repeating the first) to
// the rectangle f with the Sutherland–Hodgman algorithm and returns a
// closed ring, or nil when nothing of positive area is left. Where the ring
// leaves the rectangle and comes back, the result runs along the
// rectangle's edge: right for filling, wrong for stroking as coastline.
func clipRing(r []XY, f Rect) []XY {
	if len(r) < 4 {
		return nil
	}
	in := r[:len(r)-1]
	var out []XY
	for edge := range 4 {
		out = make([]XY, 0, len(in)+4)
		prev := in[len(in)-1]
		for _, p := range in {
			pIn, prevIn := inside(p, f, edge), inside(prev, f, edge)
			if pIn != prevIn {
				out = append(out, cross(prev, p, f, edge))
			}
			if pIn {
				out = append(out, p)
			}
			prev = p
		}
		if len(out) < 3 {
			return nil
		}
		in = out
	}
	if area(out) < 1e-6 {
		return nil
	}
	return append(out, out[0])
}

// inside reports whether p is on the inner side of one edge of f: 0 left,
// 1 right, 2 top, 3 bottom.
func inside(p XY, f Rect, edge int) bool {
	switch edge {
	case 0:
		return p.X >= f.Min.X
	case 1:
		return p.X <= f.Max.X
	case 2:
		return p.Y >= f.Min.Y
	}
	return p.Y <= f.Max.Y
}

// cross returns where the segment a-b crosses the line of one edge of f;
// a and b are on opposite sides of it.
func cross(a, b XY, f Rect, edge int) XY {
	switch edge {
	case 0, 1:
		x := f.Min.X
		if edge == 1 {
			x = f.Max.X
		}
		return XY{x, a.Y + (b.Y-a.Y)*(x-a.X)/(b.X-a.X)}
	}
	y := f.Min.Y
	if edge == 3 {
		y = f.Max.Y
	}
	return XY{a.X + (b.X-a.X)*(y-a.Y)/(b.Y-a.Y), y}
}

// area returns the unsigned area of the polygon p (not repeating its first
// point).
func area(p []XY) float64 {
	s := 0.0
	prev := p[len(p)-1]
	for _, q := range p {
		s += prev.X*q.Y - q.X*prev.Y
		prev = q
	}
	if s < 0 {
		s = -s
	}
	return s / 2
}

// clipLine clips the polyline l to f with the Liang–Barsky algorithm,
// segment by segment, and appends the pieces inside f to dst.
func clipLine(dst [][]XY, l []XY, f Rect) [][]XY {
	var cur []XY
	for i := 1; i < len(l); i++ {
		a, b := l[i-1], l[i]
		t0, t1, ok := clipSegment(a, b, f)
		if !ok {
			if len(cur) > 1 {
				dst = append(dst, cur)
			}
			cur = nil
			continue
		}
		p := XY{a.X + t0*(b.X-a.X), a.Y + t0*(b.Y-a.Y)}
		q := XY{a.X + t1*(b.X-a.X), a.Y + t1*(b.Y-a.Y)}
		if cur == nil || t0 > 0 {
			if len(cur) > 1 {
				dst = append(dst, cur)
			}
			cur = []XY{p}
		}
		cur = append(cur, q)
		if t1 < 1 {
			dst = append(dst, cur)
			cur = nil
		}
	}
	if len(cur) > 1 {
		dst = append(dst, cur)
	}
	return dst
}

// clipSegment returns the part t0..t1 (0 ≤ t0 ≤ t1 ≤ 1) of the segment a-b
// that lies in f, and false when none does.
func clipSegment(a, b XY, f Rect) (t0, t1 float64, ok bool) {
	t0, t1 = 0, 1
	dx, dy := b.X-a.X, b.Y-a.Y
	for _, c := range [4][2]float64{
		{-dx, a.X - f.Min.X},
		{dx, f.Max.X - a.X},
		{-dy, a.Y - f.Min.Y},
		{dy, f.Max.Y - a.Y},
	} {
		p, q := c[0], c[1]
		if p == 0 {
			if q < 0 {
				return 0, 0, false
			}
			continue
		}
		t := q / p
		if p < 0 {
			t0 = max(t0, t)
		} else {
			t1 = min(t1, t)
		}
		if t0 > t1 {
			return 0, 0, false
		}
	}
	return t0, t1, true
}
