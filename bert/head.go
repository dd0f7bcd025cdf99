package bert

import (
	"fmt"
	"slices"

	outs "github.com/bertbatch/bertbatch/bert/outputs" // golden_test.go declares a type outputs
	"github.com/bertbatch/bertbatch/mlx"
)

// HeadType is a sequence-classification head (spelled in package outputs).
type HeadType = outs.Head

// The head types.
const (
	HeadNone       = outs.HeadNone
	HeadBinary     = outs.HeadBinary     // two labels with softmax, or one logit with sigmoid
	HeadMulticlass = outs.HeadMulticlass // softmax over the labels
	HeadMultilabel = outs.HeadMultilabel // independent sigmoid per label
	HeadRegression = outs.HeadRegression // raw outputs
)

// ParseHead maps a name to a HeadType ("" or "none" = HeadNone).
func ParseHead(s string) (HeadType, error) {
	if s == "none" {
		return HeadNone, nil
	}
	if h := HeadType(s); slices.Contains(outs.Heads(), h) {
		return h, nil
	}
	return "", fmt.Errorf("unknown head %q (want %s)", s, oneOf(outs.Heads()[1:]))
}

// checkHead refuses a head that contradicts the checkpoint's problem_type or labels.
func checkHead(c *Config, h HeadType, file string) error {
	want := map[HeadType]string{HeadMulticlass: "single_label_classification", HeadBinary: "single_label_classification",
		HeadMultilabel: "multi_label_classification", HeadRegression: "regression"}[h]
	if c.ProblemType != "" && c.ProblemType != want && !(h == HeadBinary && c.ProblemType == "multi_label_classification") {
		return &ConfigError{File: file, Field: "problem_type", Msg: fmt.Sprintf("the checkpoint is %q, which contradicts head %q", c.ProblemType, h)}
	}
	if h == HeadMulticlass && c.NumLabels() == 1 {
		return &ConfigError{File: file, Field: "id2label", Msg: "1 label: a softmax over one output is always 1; use head regression or binary"}
	}
	if h == HeadBinary && c.NumLabels() > 2 {
		return &ConfigError{File: file, Field: "id2label", Msg: fmt.Sprintf("%d labels, but head binary wants 1 or 2", c.NumLabels())}
	}
	return nil
}

// Prediction is a head's output for one row.
type Prediction struct {
	Logits        []float32
	Probabilities []float32 // softmax or sigmoid; equal to Logits for regression
	// Label is the top label's name (id2label), or for multilabel every label over 0.5 joined by ",".
	Label string
	// Labels lists the labels over 0.5 (multilabel only).
	Labels []string
	// Score is the top label's probability (the value itself for single-output regression).
	Score float32
}

// NumLabels is the head's number of outputs (0 without a head).
func (m *Model) NumLabels() int {
	if m.w == nil || m.w.head == nil {
		return 0
	}
	shape, err := m.w.head.out.b.Shape()
	if err != nil {
		panic(fmt.Sprintf("bert: the head's bias, bound at load, has no shape: %v", err)) // a bug, not bad input
	}
	return shape[0]
}

// Logits builds the head's [rows, labels] float32 logits for an encoded batch.
func (m *Model) Logits(sc *mlx.Scope, e *Encoded) (*mlx.Array, error) {
	if m.w == nil {
		return nil, ErrClosed
	}
	hd := m.w.head
	if hd == nil {
		return nil, fmt.Errorf("%s was loaded without a classification head", m.Dir)
	}
	x := firstToken(sc, e.LastHidden, e.p.rows, m.Config.HiddenSize)
	if hd.meanPool {
		no := false
		pooled, err := m.Pool(sc, e, EmbedOptions{Pooling: PoolMean, Normalize: &no})
		if err != nil {
			return nil, err
		}
		x = sc.AsType(pooled, m.dtype)
	}
	x = m.activate(sc, hd.preAct, m.dense(sc, x, hd.pre))
	if hd.norm != nil {
		x = m.norm(sc, x, *hd.norm)
	}
	return sc.AsType(m.dense(sc, x, &hd.out), mlx.Float32), sc.Err()
}

// Classify runs the model and its head on a batch.
func (m *Model) Classify(sc *mlx.Scope, b *Batch) ([]Prediction, error) {
	e, err := m.Forward(sc, b)
	if err != nil {
		return nil, err
	}
	logits, err := m.Logits(sc, e)
	if err != nil {
		return nil, err
	}
	probs := logits
	n := m.NumLabels()
	switch {
	case m.Head == HeadMultilabel || (m.Head == HeadBinary && n == 1):
		probs = sc.Sigmoid(logits)
	case m.Head == HeadMulticlass || m.Head == HeadBinary:
		probs = sc.Softmax(logits, 1)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	lf, err := logits.Float32s(sc.Stream())
	if err != nil {
		return nil, err
	}
	pf, err := probs.Float32s(sc.Stream())
	if err != nil {
		return nil, err
	}
	rows := len(b.InputIDs)
	out := make([]Prediction, rows)
	for i := range out {
		out[i] = m.predict(lf[i*n:(i+1)*n], pf[i*n:(i+1)*n])
	}
	return out, nil
}

func (m *Model) predict(logits, probs []float32) Prediction {
	p := Prediction{Logits: logits, Probabilities: probs}
	switch {
	case m.Head == HeadRegression:
		p.Score = probs[0]
	case m.Head == HeadMultilabel || (m.Head == HeadBinary && len(probs) == 1):
		for i, v := range probs {
			if v > 0.5 {
				p.Labels = append(p.Labels, m.labelName(i))
			}
			p.Score = max(p.Score, v)
		}
		if m.Head == HeadBinary {
			p.Label, p.Score = m.labelName(boolToInt(probs[0] > 0.5)), probs[0]
			p.Labels = nil
		} else {
			p.Label = joinLabels(p.Labels)
		}
	default:
		best := 0
		for i, v := range probs {
			if v > probs[best] {
				best = i
			}
		}
		p.Label, p.Score = m.labelName(best), probs[best]
	}
	return p
}

func (m *Model) labelName(i int) string {
	if l, ok := m.Config.ID2Label[i]; ok {
		return l
	}
	return fmt.Sprintf("LABEL_%d", i)
}

func joinLabels(ls []string) string {
	s := ""
	for i, l := range ls {
		if i > 0 {
			s += ","
		}
		s += l
	}
	return s
}

func boolToInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
