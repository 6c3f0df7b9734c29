"""Reference PyTorch SpotTune3D as the paper describes it (SpotTune, Guo et al. 2019, with
MedicalNet's ResNet): the agent reads the image, a straight-through Gumbel-softmax picks a
branch per block, and *both* branches run for every image, the policy masking one of them out.
BatchNorm follows net.train() as in the original code.

Freezing: by default the frozen copy and the stem are frozen the simple way, by leaving them
out of the optimiser, so autograd still builds their weight gradients (the "gradients it does
not need" of the issue). `strict=True` also sets requires_grad=False on them (a stronger
baseline: only input gradients flow through the frozen copy).

Used by compare.py for the speed comparison with `gbmsweep bench`; not part of gbmsweep.
"""
import copy

import torch
import torch.nn as nn
import torch.nn.functional as F

from medicalnet_resnet import ResNet


def gumbel_softmax(logits, temperature):
    u = torch.rand_like(logits)
    y = logits - torch.log(-torch.log(u + 1e-20) + 1e-20)
    y = F.softmax(y / temperature, dim=-1)
    _, ind = y.max(dim=-1)
    y_hard = torch.zeros_like(y).view(-1, y.size(-1))
    y_hard.scatter_(1, ind.view(-1, 1), 1)
    y_hard = y_hard.view(*y.size())
    return (y_hard - y).detach() + y


class SpotTune3D(nn.Module):
    def __init__(self, depth=50, agent_depth=10, width=64, strict=False):
        super().__init__()
        backbone = ResNet(depth, width=width)
        self.conv1, self.bn1, self.maxpool = backbone.conv1, backbone.bn1, backbone.maxpool
        self.blocks = nn.ModuleList(backbone.blocks())                  # fine-tuned
        self.parallel_blocks = copy.deepcopy(self.blocks)               # frozen
        if strict:
            for p in list(self.parallel_blocks.parameters()) + list(self.conv1.parameters()) + \
                    list(self.bn1.parameters()):
                p.requires_grad = False
        self.fc = nn.Linear(width * 8 * (4 if depth == 50 else 1), 1)
        agent = ResNet(agent_depth, width=64)
        del agent.conv_seg
        self.agent = agent
        self.agent_fc = nn.Linear(512, 2 * len(self.blocks))

    def agent_logits(self, x):
        return self.agent_fc(self.agent.features(x)).view(x.size(0), -1, 2)

    def forward(self, x, policy):
        x = self.maxpool(F.relu(self.bn1(self.conv1(x))))
        for t, (block, pblock) in enumerate(zip(self.blocks, self.parallel_blocks)):
            mask = policy[:, t, 1].contiguous().view(-1, 1, 1, 1, 1)
            output = block(x)
            output_ = pblock(x)
            x = output * mask + output_ * (1 - mask)
        return self.fc(x.mean(dim=(2, 3, 4))).squeeze(1)

    def main_parameters(self):
        return list(self.blocks.parameters()) + list(self.fc.parameters())

    def agent_parameters(self):
        return list(self.agent.parameters()) + list(self.agent_fc.parameters())
